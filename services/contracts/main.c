/*  pacta-contracts - process entry point; everything else is in ctr_service.c
    and the shared runtime (pacta_service.c). */
#include "ctr_service.h"

int
main(int argc, char **argv)
{
    return pacta_service_main(ctr_service_spec(), argc, argv);
}
