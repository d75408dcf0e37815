#ifndef JOBPREP_CMICROHTTPD_SHIM_H
#define JOBPREP_CMICROHTTPD_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <microhttpd.h>

/*
 * Swift cannot call C variadic functions, and it does not import macros that
 * contain casts, so this header wraps the few libmicrohttpd 0.9.75 entry points
 * and constants the Daemon module needs.
 * Reference: https://www.gnu.org/software/libmicrohttpd/manual/libmicrohttpd.html
 */

/* MHD_SIZE_UNKNOWN (UINT64_MAX or a cast, depending on the platform). */
static const uint64_t jp_mhd_size_unknown = MHD_SIZE_UNKNOWN;

/*
 * MHD_start_daemon with the callbacks spelled out and every other option
 * passed through MHD_OPTION_ARRAY (terminated by MHD_OPTION_END).
 * The logger, when given, goes first, as the manual asks, so that start-up
 * errors reach it too. Returns NULL when the daemon cannot start.
 */
static inline struct MHD_Daemon *
jp_mhd_start_daemon(unsigned int flags,
                    MHD_AccessHandlerCallback handler, void *handler_cls,
                    MHD_RequestCompletedCallback completed, void *completed_cls,
                    MHD_LogCallback logger, void *logger_cls,
                    const struct MHD_OptionItem *options)
{
    if (logger != NULL) {
        return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_cls,
                                MHD_OPTION_EXTERNAL_LOGGER, logger, logger_cls,
                                MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                                MHD_OPTION_ARRAY, options,
                                MHD_OPTION_END);
    }
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                            MHD_OPTION_ARRAY, options,
                            MHD_OPTION_END);
}

/* The port the daemon listens on (the real one when it was started on port 0), or 0. */
static inline uint16_t
jp_mhd_daemon_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/* The client's address (sockaddr_in or sockaddr_in6), or NULL. */
static inline const struct sockaddr *
jp_mhd_connection_client_address(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

/* poll's POLLRDHUP (the peer shut its side down), which <poll.h> defines only with _GNU_SOURCE. */
static const short jp_pollrdhup = 0x2000;

/* The connection's socket, or -1. */
static inline int
jp_mhd_connection_fd(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

/* Hands the heap's free memory back to the system (glibc's malloc_trim; nothing elsewhere). */
#if defined(__GLIBC__)
#include <malloc.h>
static inline void jp_release_free_heap(void) { (void)malloc_trim(0); }
#else
static inline void jp_release_free_heap(void) {}
#endif

#endif
