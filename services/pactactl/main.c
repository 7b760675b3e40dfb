/*  pactactl - the operator's command line (see pactactl_cmd.c). */
#include <stdio.h>

#include "pactactl_cmd.h"

int
main(int argc, char **argv)
{
    return pactactl_main(argc, argv, stdout, stderr);
}
