/*
 * bare-mhd: the ceiling of this HTTP stack. libmicrohttpd 0.9.75 configured as jobprepd configures it
 * (internal polling thread, epoll, a thread pool, suspend/resume allowed), answering every request
 * with the same 500-byte JSON document, built once and shared. Request bodies are read and dropped.
 *
 *   gcc -O2 -o bare-mhd bare-mhd.c $(pkg-config --cflags --libs libmicrohttpd)
 *   ./bare-mhd PORT [THREADS]      (scripts/bench passes jobprepd's default: two per core)
 *
 * Runs until SIGTERM or SIGINT.
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct MHD_Response *fixed;
static volatile sig_atomic_t stop;

static void on_signal(int signal_number) { (void)signal_number; stop = 1; }

/* The access handler: the first call only sees the headers; body pieces are dropped; the final
 * call (no upload data left) queues the shared response. */
static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **context) {
    (void)cls; (void)url; (void)method; (void)version; (void)upload_data;
    static int marker;
    if (*context == NULL) {
        *context = &marker;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    return MHD_queue_response(connection, MHD_HTTP_OK, fixed);
}

/* A JSON object of exactly 500 bytes, shaped like a stored story. */
static char *make_document(void) {
    const char *head = "{\"id\":\"s00000000000001\",\"title\":\"A story about a migration\","
                       "\"use_case\":\"Billing data had to move to a new store without downtime\","
                       "\"design\":\"Dual writes behind a flag, then a backfill\",\"outcome\":\"";
    const char *tail = "\"}";
    size_t length = 500;
    char *document = malloc(length + 1);
    size_t head_length = strlen(head), tail_length = strlen(tail);
    memcpy(document, head, head_length);
    memset(document + head_length, 'x', length - head_length - tail_length);
    memcpy(document + length - tail_length, tail, tail_length);
    document[length] = '\0';
    return document;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT [THREADS]\n", argv[0]);
        return 2;
    }
    unsigned int port = (unsigned int)atoi(argv[1]);
    unsigned int threads = argc > 2 ? (unsigned int)atoi(argv[2]) : 2;

    char *document = make_document();
    fixed = MHD_create_response_from_buffer(strlen(document), document, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(fixed, "Content-Type", "application/json");

    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, (uint16_t)port,
        NULL, NULL, answer, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, 1024,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), /* jobprepd's connectionMemoryLimit (BareServerTests) */
        MHD_OPTION_CONNECTION_TIMEOUT, 30,
        MHD_OPTION_END);
    if (daemon == NULL) {
        fprintf(stderr, "bare-mhd: cannot listen on port %u\n", port);
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    while (!stop) pause();
    MHD_stop_daemon(daemon);
    MHD_destroy_response(fixed);
    free(document);
    return 0;
}
