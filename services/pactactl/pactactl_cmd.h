/*  =========================================================================
    pactactl_cmd - the operator's commands, callable without a subprocess

    pactactl_main() is the whole CLI: main.c only forwards argc/argv and the
    standard streams, so tests drive every command with their own streams.
    =========================================================================
*/
#ifndef PACTACTL_CMD_H_INCLUDED
#define PACTACTL_CMD_H_INCLUDED

#include <stdio.h>

/* Exit codes: 0 success, 1 the command failed (bad profile, Redis down,
   clock refused), 2 usage error. */
int pactactl_main(int argc, char **argv, FILE *out, FILE *err);

#endif
