/*  =========================================================================
    bus_app - the pacta-bus process: configuration, HTTP, signals, loop

      pacta-bus [options]     run the broker (see --help for every option)
      pacta-bus keygen        print a new CURVE keypair:
                                public <40 Z85 characters>
                                secret <40 Z85 characters>

    Exit codes: 0 clean stop (SIGTERM/SIGINT), 1 runtime failure (cannot
    bind, bad routes or allow-list file), 2 bad configuration.
    =========================================================================
*/
#ifndef BUS_APP_H_INCLUDED
#define BUS_APP_H_INCLUDED

#ifdef __cplusplus
extern "C" {
#endif

/* The whole program; returns the exit code. */
int bus_app_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
