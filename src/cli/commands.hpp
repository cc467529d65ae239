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
// `correio quickstart [DIR]`: creates the quick-start configuration only if absent.
int quickstart_main(int argc, char** argv);

}  // namespace correio::cli
