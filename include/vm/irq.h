/* irq.h - interrupt lines from devices to whoever routes them (an interrupt controller or a
 * hart's mip), so that a device model needs no knowledge of the machine it sits in. */
#pragma once

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One interrupt line: set(opaque, line, level) drives it high or low (level-triggered). */
typedef struct vm_irq {
    void (*set)(void *opaque, unsigned line, bool level); /* drive `line` to `level` */
    void *opaque;                                         /* the receiver */
    unsigned line;                                        /* which of the receiver's lines */
} vm_irq_t;

/* Drive the line (a line without a receiver goes nowhere). */
static inline void vm_irq_set(const vm_irq_t *irq, bool level) {
    if (irq->set) irq->set(irq->opaque, irq->line, level);
}

#ifdef __cplusplus
}
#endif
