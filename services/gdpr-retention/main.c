/*  pacta-gdpr-retention - process entry point; everything else is in gdpr_service.c
    and the shared runtime (pacta_service.c). */
#include "gdpr_service.h"

int
main(int argc, char **argv)
{
    return pacta_service_main(gdpr_service_spec(), argc, argv);
}
