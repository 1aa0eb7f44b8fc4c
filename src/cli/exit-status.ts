/**
 * Exit statuses, as clamscan has them: a script can tell "clean", "found something" and
 * "could not look at everything" apart.
 */

/** No alerts, and every input was read. */
export const EXIT_CLEAN = 0;
/** At least one alert row was printed, and every input was read. */
export const EXIT_ALERTS = 1;
/** Bad usage, or some input could not be read (rows from the others were still printed). */
export const EXIT_TROUBLE = 2;
/** Stopped by Ctrl-C (SIGINT), as shells report it: 128 + 2. */
export const EXIT_INTERRUPTED = 130;
/** Stopped by SIGTERM (`kill`, `timeout`, a service manager), as shells report it: 128 + 15. */
export const EXIT_TERMINATED = 143;
