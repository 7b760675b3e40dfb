/*  pacta-invoicing - process entry point; everything else is in inv_service.c
    and the shared runtime (pacta_service.c). */
#include "inv_service.h"

int
main(int argc, char **argv)
{
    return pacta_service_main(inv_service_spec(), argc, argv);
}
