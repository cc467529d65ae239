// The administrator's commands. Each takes the full argv (argv[0] is the command name)
// and returns the process exit status.
#pragma once

namespace correio::cli {

int postconf_main(int argc, char** argv);
int postcat_main(int argc, char** argv);
// `correio quickstart [DIR]`: creates the quick-start configuration only if absent.
int quickstart_main(int argc, char** argv);

}  // namespace correio::cli
