/* net_slirp.c - user-mode networking (libslirp) behind a virtio-net card.
 *
 * The guest sees qemu's user network: it is 10.0.2.15/24 (slirp's DHCP hands that out), the
 * gateway 10.0.2.2 is the host itself (a connection to 10.0.2.2:P is a connection to the
 * host's 127.0.0.1:P), 10.0.2.3 forwards DNS to the host's resolver. IPv6 is off. A port
 * forward (hostfwd) makes slirp listen on a host port and pass each connection to a guest
 * port; the host address defaults to 127.0.0.1, so nothing is exposed beyond the host unless
 * the rule names another address.
 *
 * libslirp is not thread-safe: every call into it holds `lock`. The network's own thread runs
 * slirp's poll loop: under the lock it asks slirp for its descriptors and timeout
 * (slirp_pollfds_fill), polls them without the lock together with an eventfd that wakes it,
 * then lets slirp handle what happened (slirp_pollfds_poll) and fires slirp's timers. Frames
 * slirp sends to the guest (its send_packet callback) go onto the card's receive list
 * (virtio_net_receive), which the hart's thread empties into the guest's buffers. Frames the
 * guest sends arrive on the hart's thread (the card's tx callback), which feeds them to
 * slirp_input under the lock and wakes the thread, since slirp may now have new sockets to
 * poll or data to send.
 *
 * libslirp is not linked but loaded with dlopen (by the soname found at build time, or
 * $VM_SLIRP_LIB) when a machine first opens a network: linked, the host's dynamic loader
 * mapped, relocated and initialised it and glib, which it needs, at every start of vm, a
 * user-mode hello world included. A library that cannot be loaded makes net_slirp_open fail
 * with a message.
 *
 * Without libslirp at build time (VM_HAVE_SLIRP undefined) only the parser is built and
 * net_slirp_open fails with -ENOTSUP and a message that says what to install.
 */
#include "dev/net_slirp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A parsed port forward. */
typedef struct fwd {
    bool udp;             /* udp: (else tcp:) */
    struct in_addr host;  /* address to listen on */
    int host_port;        /* port to listen on */
    struct in_addr guest; /* where connections go */
    int guest_port;       /* ... and the port */
} fwd_t;

static bool parse_port(const char *s, size_t len, int *port) {
    if (len == 0 || len > 5) return false;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 65535) return false;
    *port = v;
    return true;
}

static bool parse_addr(const char *s, size_t len, const char *dflt, struct in_addr *a) {
    char buf[INET_ADDRSTRLEN];
    if (len == 0) return inet_pton(AF_INET, dflt, a) == 1;
    if (len >= sizeof(buf)) return false;
    memcpy(buf, s, len);
    buf[len] = 0;
    return inet_pton(AF_INET, buf, a) == 1;
}

/* "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport" */
static int parse_fwd(const char *rule, fwd_t *f, char *err, size_t errlen) {
    memset(f, 0, sizeof(*f));
    const char *p = rule;
    if (!strncmp(p, "tcp:", 4))
        p += 4;
    else if (!strncmp(p, "udp:", 4)) {
        f->udp = true;
        p += 4;
    }
    const char *dash = strchr(p, '-');
    const char *hcolon = dash ? memchr(p, ':', (size_t)(dash - p)) : NULL;
    const char *gcolon = dash ? strchr(dash + 1, ':') : NULL;
    if (!dash || !hcolon || !gcolon ||
        !parse_addr(p, (size_t)(hcolon - p), "127.0.0.1", &f->host) ||
        !parse_port(hcolon + 1, (size_t)(dash - hcolon - 1), &f->host_port) ||
        !parse_addr(dash + 1, (size_t)(gcolon - dash - 1), "10.0.2.15", &f->guest) ||
        !parse_port(gcolon + 1, strlen(gcolon + 1), &f->guest_port)) {
        snprintf(err, errlen,
                 "bad hostfwd '%s' (want [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport, "
                 "IPv4 addresses, ports 1..65535)",
                 rule);
        return -EINVAL;
    }
    return 0;
}

int net_slirp_check_hostfwd(const char *rule, char *err, size_t errlen) {
    fwd_t f;
    return parse_fwd(rule, &f, err, errlen);
}

#ifndef VM_HAVE_SLIRP

bool net_slirp_available(void) {
    return false;
}

int net_slirp_open(net_slirp_t **out, virtio_net_t *nic, const char *const *hostfwd,
                   unsigned nhostfwd, char *err, size_t errlen) {
    (void)nic;
    (void)hostfwd;
    (void)nhostfwd;
    *out = NULL;
    snprintf(err, errlen,
             "user-mode networking is not built in: vm was built without libslirp "
             "(install libslirp-dev and rebuild)");
    return -ENOTSUP;
}

void net_slirp_close(net_slirp_t *s) {
    (void)s;
}

#else

#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <libslirp.h>

#include "core/dynlib.h"

/* The libslirp functions vm calls, found with dlsym (the types are the header's). */
static struct {
    __typeof__(slirp_new) *new_;                  /* slirp_new */
    __typeof__(slirp_cleanup) *cleanup;           /* slirp_cleanup */
    __typeof__(slirp_input) *input;               /* slirp_input */
    __typeof__(slirp_pollfds_fill) *pollfds_fill; /* slirp_pollfds_fill */
    __typeof__(slirp_pollfds_poll) *pollfds_poll; /* slirp_pollfds_poll */
    __typeof__(slirp_handle_timer) *handle_timer; /* slirp_handle_timer */
    __typeof__(slirp_add_hostfwd) *add_hostfwd;   /* slirp_add_hostfwd */
    bool ok;                                      /* all of them found */
    char err[256];                                /* why not, when !ok */
} lib;
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

/* Load libslirp once per process. */
static void lib_load(void) {
    const vm_dynsym_t syms[] = {
        {"slirp_new", &lib.new_},
        {"slirp_cleanup", &lib.cleanup},
        {"slirp_input", &lib.input},
        {"slirp_pollfds_fill", &lib.pollfds_fill},
        {"slirp_pollfds_poll", &lib.pollfds_poll},
        {"slirp_handle_timer", &lib.handle_timer},
        {"slirp_add_hostfwd", &lib.add_hostfwd},
    };
    lib.ok = vm_dynlib_load("libslirp", "VM_SLIRP_LIB", VM_SLIRP_SONAME, syms,
                            sizeof(syms) / sizeof(syms[0]), lib.err, sizeof(lib.err));
}

/* One of slirp's timers. */
typedef struct slirp_timer {
    struct slirp_timer *next; /* all timers of the network */
    SlirpTimerId id;          /* which (passed back to slirp_handle_timer) */
    void *cb_opaque;          /* its argument */
    int64_t expire_ms;        /* when it fires (-1: not armed) */
} slirp_timer_t;

struct net_slirp {
    Slirp *slirp;          /* the stack */
    virtio_net_t *nic;     /* the card */
    pthread_mutex_t lock;  /* held around every call into slirp */
    pthread_t thread;      /* the poll loop */
    bool thread_on;        /* it was started */
    int wake;              /* eventfd: wakes the poll loop */
    int stop;              /* atomic: the thread must end */
    struct pollfd *pfd;    /* the poll set being built (pfd[0] is `wake`) */
    unsigned npfd, cappfd; /* its length and capacity */
    slirp_timer_t *timers; /* slirp's timers */
};

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000ll + t.tv_nsec;
}

static void wake(net_slirp_t *s) {
    uint64_t one = 1;
    if (write(s->wake, &one, sizeof(one)) < 0) { /* counter full: it is readable anyway */
    }
}

/* slirp -> guest */
static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque) {
    net_slirp_t *s = opaque;
    virtio_net_receive(s->nic, buf, len); /* a full list drops it; TCP resends */
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque) {
    (void)msg; /* a guest's mistakes are its own; slirp drops the packet */
    (void)opaque;
}

static int64_t cb_clock_get_ns(void *opaque) {
    (void)opaque;
    return now_ns();
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque) {
    net_slirp_t *s = opaque;
    slirp_timer_t *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    t->id = id;
    t->cb_opaque = cb_opaque;
    t->expire_ms = -1;
    t->next = s->timers;
    s->timers = t;
    return t;
}

static void cb_timer_free(void *timer, void *opaque) {
    net_slirp_t *s = opaque;
    for (slirp_timer_t **p = &s->timers; *p; p = &(*p)->next)
        if (*p == timer) {
            *p = ((slirp_timer_t *)timer)->next;
            free(timer);
            return;
        }
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque) {
    if (timer) ((slirp_timer_t *)timer)->expire_ms = expire_ms;
    wake(opaque);
}

static void cb_register_poll_fd(int fd, void *opaque) {
    (void)fd;
    (void)opaque;
}

static void cb_notify(void *opaque) {
    wake(opaque);
}

static int cb_add_poll(int fd, int events, void *opaque) {
    net_slirp_t *s = opaque;
    if (s->npfd == s->cappfd) {
        unsigned cap = s->cappfd ? 2 * s->cappfd : 64;
        struct pollfd *n = realloc(s->pfd, cap * sizeof(*n));
        if (!n) return -1;
        s->pfd = n;
        s->cappfd = cap;
    }
    short ev = 0;
    if (events & SLIRP_POLL_IN) ev |= POLLIN;
    if (events & SLIRP_POLL_OUT) ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI) ev |= POLLPRI;
    s->pfd[s->npfd] = (struct pollfd){.fd = fd, .events = ev};
    return (int)s->npfd++;
}

static int cb_get_revents(int idx, void *opaque) {
    net_slirp_t *s = opaque;
    if (idx < 1 || (unsigned)idx >= s->npfd) return 0;
    short r = s->pfd[idx].revents;
    int ev = 0;
    if (r & POLLIN) ev |= SLIRP_POLL_IN;
    if (r & POLLOUT) ev |= SLIRP_POLL_OUT;
    if (r & POLLPRI) ev |= SLIRP_POLL_PRI;
    if (r & POLLERR) ev |= SLIRP_POLL_ERR;
    if (r & POLLHUP) ev |= SLIRP_POLL_HUP;
    return ev;
}

static const SlirpCb callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_register_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

/* guest -> slirp, on the hart's thread */
static void net_tx(void *opaque, const uint8_t *frame, size_t len) {
    net_slirp_t *s = opaque;
    pthread_mutex_lock(&s->lock);
    lib.input(s->slirp, frame, (int)len);
    pthread_mutex_unlock(&s->lock);
    wake(s);
}

static void *net_thread(void *arg) {
    net_slirp_t *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
        s->npfd = 0;
        cb_add_poll(s->wake, SLIRP_POLL_IN, s);
        uint32_t timeout = 1000;
        lib.pollfds_fill(s->slirp, &timeout, cb_add_poll, s);
        int64_t now_ms = now_ns() / 1000000;
        for (slirp_timer_t *t = s->timers; t; t = t->next)
            if (t->expire_ms >= 0) {
                int64_t left = t->expire_ms > now_ms ? t->expire_ms - now_ms : 0;
                if ((uint64_t)left < timeout) timeout = (uint32_t)left;
            }
        pthread_mutex_unlock(&s->lock);
        int r = poll(s->pfd, s->npfd, (int)timeout);
        if (r > 0 && s->npfd && (s->pfd[0].revents & POLLIN)) {
            uint64_t v;
            if (read(s->wake, &v, sizeof(v)) < 0) { /* raced with another reader: fine */
            }
        }
        pthread_mutex_lock(&s->lock);
        lib.pollfds_poll(s->slirp, r < 0, cb_get_revents, s);
        now_ms = now_ns() / 1000000;
        for (slirp_timer_t *t = s->timers; t; t = t->next)
            if (t->expire_ms >= 0 && t->expire_ms <= now_ms) {
                t->expire_ms = -1;
                lib.handle_timer(s->slirp, t->id, t->cb_opaque);
                break; /* the handler may free or add timers: look again next round */
            }
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

bool net_slirp_available(void) {
    return true;
}

int net_slirp_open(net_slirp_t **out, virtio_net_t *nic, const char *const *hostfwd,
                   unsigned nhostfwd, char *err, size_t errlen) {
    *out = NULL;
    pthread_once(&lib_once, lib_load);
    if (!lib.ok) {
        snprintf(err, errlen, "user-mode networking: %s", lib.err);
        return -ENOTSUP;
    }
    net_slirp_t *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    s->nic = nic;
    s->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->wake < 0 || pthread_mutex_init(&s->lock, NULL) != 0) {
        int e = errno;
        snprintf(err, errlen, "cannot set up user-mode networking: %s", strerror(e));
        if (s->wake >= 0) close(s->wake);
        free(s);
        return -e;
    }
    SlirpConfig cfg = {.version = 4, .in_enabled = true};
    inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
    inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
    inet_pton(AF_INET, "10.0.2.2", &cfg.vhost);
    inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
    inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
    s->slirp = lib.new_(&cfg, &callbacks, s);
    if (!s->slirp) {
        snprintf(err, errlen, "cannot start user-mode networking (slirp_new failed)");
        net_slirp_close(s);
        return -ENOMEM;
    }
    for (unsigned i = 0; i < nhostfwd; i++) {
        fwd_t f;
        int rc = parse_fwd(hostfwd[i], &f, err, errlen);
        if (rc) {
            net_slirp_close(s);
            return rc;
        }
        if (lib.add_hostfwd(s->slirp, f.udp, f.host, f.host_port, f.guest, f.guest_port) < 0) {
            int e = errno ? errno : EADDRINUSE;
            snprintf(err, errlen, "hostfwd %s: cannot listen on the host port: %s", hostfwd[i],
                     strerror(e));
            net_slirp_close(s);
            return -e;
        }
    }
    int e = pthread_create(&s->thread, NULL, net_thread, s);
    if (e != 0) {
        snprintf(err, errlen, "cannot start the network thread: %s", strerror(e));
        net_slirp_close(s);
        return -e;
    }
    s->thread_on = true;
    nic->tx = net_tx;
    nic->tx_opaque = s;
    *out = s;
    return 0;
}

void net_slirp_close(net_slirp_t *s) {
    if (!s) return;
    if (s->thread_on) {
        __atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
        wake(s);
        pthread_join(s->thread, NULL);
    }
    if (s->nic && s->nic->tx_opaque == s) {
        s->nic->tx = NULL;
        s->nic->tx_opaque = NULL;
    }
    if (s->slirp) lib.cleanup(s->slirp);
    while (s->timers) {
        slirp_timer_t *t = s->timers;
        s->timers = t->next;
        free(t);
    }
    pthread_mutex_destroy(&s->lock);
    close(s->wake);
    free(s->pfd);
    free(s);
}

#endif
