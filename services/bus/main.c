/*  pacta-bus - process entry point; everything else is in bus_app.c and
    bus_broker.c. */
#include "bus_app.h"

/* Everything is in bus_app_main(), so tests can link the program's logic. */
int
main(int argc, char **argv)
{
    return bus_app_main(argc, argv);
}
