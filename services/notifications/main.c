/*  pacta-notifications - process entry point; everything else is in ntf_service.c
    and the shared runtime (pacta_service.c). */
#include "ntf_service.h"

int
main(int argc, char **argv)
{
    return pacta_service_main(ntf_service_spec(), argc, argv);
}
