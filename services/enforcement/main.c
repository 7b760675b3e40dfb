/*  pacta-enforcement - process entry point; everything else is in enf_service.c
    and the shared runtime (pacta_service.c). */
#include "enf_service.h"

int
main(int argc, char **argv)
{
    return pacta_service_main(enf_service_spec(), argc, argv);
}
