/* net_slirp.h - user-mode networking for a virtio-net card: libslirp's TCP/IP stack on a host
 * thread of its own, so that the guest reaches the host's network (and the host reaches the
 * guest through forwarded ports) without root or a tap device. See net_slirp.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "dev/virtio.h"

/* One user-mode network behind one card. */
typedef struct net_slirp net_slirp_t;

/* True when vm was built with libslirp (else net_slirp_open fails with -ENOTSUP). */
bool net_slirp_available(void);

/* Check one qemu-style port forward "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport"
 * (hostaddr defaults to 127.0.0.1, guestaddr to 10.0.2.15). 0 or -EINVAL with err set. */
int net_slirp_check_hostfwd(const char *rule, char *err, size_t errlen);

/* Start the network for card `nic` (already opened with virtio_net_open; its tx callback is
 * set here) with the given port forwards. Returns 0 and *out, or -errno with err set (a
 * forward whose host port cannot be bound is an error). */
int net_slirp_open(net_slirp_t **out, virtio_net_t *nic, const char *const *hostfwd,
                   unsigned nhostfwd, char *err, size_t errlen);

/* Stop the network's thread and free it (before virtio_net_close of its card). */
void net_slirp_close(net_slirp_t *s);
