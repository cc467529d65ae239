// The administrator's commands. Each takes the full argv (argv[0] is the command name)
// and returns the process exit status.
#pragma once

namespace correio::cli {

int postconf_main(int argc, char** argv);
int postcat_main(int argc, char** argv);
// postmap(1), postalias(1), newaliases(1): compile/query lookup tables (src/cli/postmap.cpp).
int postmap_main(int argc, char** argv);
int postalias_main(int argc, char** argv);
int newaliases_main(int argc, char** argv);
// sendmail(1), mailq(1), postqueue(1), postsuper(1), qshape(1): local submission and the
// queue tools (src/cli/sendmail.cpp, postqueue.cpp, postsuper.cpp, qshape.cpp).
int sendmail_main(int argc, char** argv);
int mailq_main(int argc, char** argv);
int postqueue_main(int argc, char** argv);
int postsuper_main(int argc, char** argv);
int qshape_main(int argc, char** argv);
// `correio quickstart [DIR]`: creates the quick-start configuration only if absent.
int quickstart_main(int argc, char** argv);

}  // namespace correio::cli
