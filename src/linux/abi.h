/* abi.h - the riscv64 Linux user ABI as the guest sees it: system call numbers (asm-generic
 * unistd.h, generated from the list in syscalls.def), errno values, flag bits and the layouts
 * of every structure the syscall layer translates. Every constant carries a LINUX_ prefix so
 * it is never confused with the host's value of the same name; every layout is pinned with
 * _Static_assert. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* ---- guest memory geometry ---- */
#define LINUX_PAGE_SIZE   4096ull                               /* guest page = host page */
#define LINUX_TASK_SIZE   (1ull << 38)                          /* Sv39 user space: 256 GiB */
#define LINUX_ET_DYN_BASE LINUX_ET_DYN_BASE_OF(LINUX_TASK_SIZE) /* PIE load */
/* Where a PIE program is loaded in a guest space of `size` bytes (two thirds up, as Linux). */
#define LINUX_ET_DYN_BASE_OF(size) (((size) / 3 * 2) & ~(LINUX_PAGE_SIZE - 1))
#define LINUX_STACK_TOP                                                                            \
    LINUX_TASK_SIZE                   /* initial stack grows down from here (the top of a          \
                                         full-size space; in general the space's size) */
#define LINUX_STACK_SIZE (8ull << 20) /* mapped stack (RLIMIT_STACK) */

/* ---- errno (asm-generic/errno-base.h, errno.h) ---- */
#define LINUX_EPERM           1
#define LINUX_ENOENT          2
#define LINUX_ESRCH           3
#define LINUX_EINTR           4
#define LINUX_EIO             5
#define LINUX_ENXIO           6
#define LINUX_E2BIG           7
#define LINUX_ENOEXEC         8
#define LINUX_EBADF           9
#define LINUX_ECHILD          10
#define LINUX_EAGAIN          11
#define LINUX_ENOMEM          12
#define LINUX_EACCES          13
#define LINUX_EFAULT          14
#define LINUX_ENOTBLK         15
#define LINUX_EBUSY           16
#define LINUX_EEXIST          17
#define LINUX_EXDEV           18
#define LINUX_ENODEV          19
#define LINUX_ENOTDIR         20
#define LINUX_EISDIR          21
#define LINUX_EINVAL          22
#define LINUX_ENFILE          23
#define LINUX_EMFILE          24
#define LINUX_ENOTTY          25
#define LINUX_ETXTBSY         26
#define LINUX_EFBIG           27
#define LINUX_ENOSPC          28
#define LINUX_ESPIPE          29
#define LINUX_EROFS           30
#define LINUX_EMLINK          31
#define LINUX_EPIPE           32
#define LINUX_EDOM            33
#define LINUX_ERANGE          34
#define LINUX_EDEADLK         35
#define LINUX_ENAMETOOLONG    36
#define LINUX_ENOLCK          37
#define LINUX_ENOSYS          38
#define LINUX_ENOTEMPTY       39
#define LINUX_ELOOP           40
#define LINUX_ENOMSG          42
#define LINUX_EIDRM           43
#define LINUX_ENOSTR          60
#define LINUX_ENODATA         61
#define LINUX_ETIME           62
#define LINUX_ENOSR           63
#define LINUX_EREMOTE         66
#define LINUX_ENOLINK         67
#define LINUX_EPROTO          71
#define LINUX_EMULTIHOP       72
#define LINUX_EBADMSG         74
#define LINUX_EOVERFLOW       75
#define LINUX_EILSEQ          84
#define LINUX_EUSERS          87
#define LINUX_ENOTSOCK        88
#define LINUX_EDESTADDRREQ    89
#define LINUX_EMSGSIZE        90
#define LINUX_EPROTOTYPE      91
#define LINUX_ENOPROTOOPT     92
#define LINUX_EPROTONOSUPPORT 93
#define LINUX_ESOCKTNOSUPPORT 94
#define LINUX_EOPNOTSUPP      95
#define LINUX_EPFNOSUPPORT    96
#define LINUX_EAFNOSUPPORT    97
#define LINUX_EADDRINUSE      98
#define LINUX_EADDRNOTAVAIL   99
#define LINUX_ENETDOWN        100
#define LINUX_ENETUNREACH     101
#define LINUX_ENETRESET       102
#define LINUX_ECONNABORTED    103
#define LINUX_ECONNRESET      104
#define LINUX_ENOBUFS         105
#define LINUX_EISCONN         106
#define LINUX_ENOTCONN        107
#define LINUX_ESHUTDOWN       108
#define LINUX_ETOOMANYREFS    109
#define LINUX_ETIMEDOUT       110
#define LINUX_ECONNREFUSED    111
#define LINUX_EHOSTDOWN       112
#define LINUX_EHOSTUNREACH    113
#define LINUX_EALREADY        114
#define LINUX_EINPROGRESS     115
#define LINUX_ESTALE          116
#define LINUX_EDQUOT          122
#define LINUX_ECANCELED       125
#define LINUX_EOWNERDEAD      130
#define LINUX_ENOTRECOVERABLE 131
/* The kernel's own "restart this call after the signal" (never returned to the guest: the run
 * loop turns it into the restart or EINTR, by the handler's SA_RESTART). */
#define LINUX_ERESTARTSYS 512

/* ---- system call numbers (asm-generic/unistd.h, riscv64), generated from syscalls.def ---- */
enum linux_syscall_nr {
#define LINUX_SYSCALL(nr, name, args, handler, flags) LINUX_NR_##name = (nr),
#define LINUX_SYSCALL_NI(nr, name, args)              LINUX_NR_##name = (nr),
#include "linux/syscalls.def"
};

/* ---- open / fcntl / at flags (asm-generic/fcntl.h) ---- */
#define LINUX_O_ACCMODE           0003
#define LINUX_O_CREAT             0100
#define LINUX_O_EXCL              0200
#define LINUX_O_NOCTTY            0400
#define LINUX_O_TRUNC             01000
#define LINUX_O_APPEND            02000
#define LINUX_O_NONBLOCK          04000
#define LINUX_O_DSYNC             010000
#define LINUX_O_ASYNC             020000
#define LINUX_O_DIRECT            040000
#define LINUX_O_LARGEFILE         0100000
#define LINUX_O_DIRECTORY         0200000
#define LINUX_O_NOFOLLOW          0400000
#define LINUX_O_NOATIME           01000000
#define LINUX_O_CLOEXEC           02000000
#define LINUX_O_SYNC              04010000
#define LINUX_O_PATH              010000000
#define LINUX_O_TMPFILE           020200000
#define LINUX_AT_FDCWD            (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_REMOVEDIR        0x200
#define LINUX_AT_EACCESS          0x200
#define LINUX_AT_SYMLINK_FOLLOW   0x400
#define LINUX_AT_NO_AUTOMOUNT     0x800
#define LINUX_AT_EMPTY_PATH       0x1000
#define LINUX_F_DUPFD             0
#define LINUX_F_GETFD             1
#define LINUX_F_SETFD             2
#define LINUX_F_GETFL             3
#define LINUX_F_SETFL             4
#define LINUX_F_GETLK             5
#define LINUX_F_SETLK             6
#define LINUX_F_SETLKW            7
#define LINUX_F_SETOWN            8
#define LINUX_F_GETOWN            9
#define LINUX_F_SETOWN_EX         15 /* struct f_owner_ex {int type; int pid;} in */
#define LINUX_F_GETOWN_EX         16 /* the same out (glibc's F_GETOWN uses it) */
#define LINUX_F_SETSIG            10
#define LINUX_F_GETSIG            11
#define LINUX_F_OFD_GETLK         36
#define LINUX_F_OFD_SETLK         37
#define LINUX_F_OFD_SETLKW        38
#define LINUX_F_SETLEASE          1024
#define LINUX_F_GETLEASE          1025
#define LINUX_F_NOTIFY            1026
#define LINUX_F_DUPFD_CLOEXEC     1030
#define LINUX_F_SETPIPE_SZ        1031
#define LINUX_F_GETPIPE_SZ        1032
#define LINUX_F_ADD_SEALS         1033
#define LINUX_F_GET_SEALS         1034
#define LINUX_FD_CLOEXEC          1

/* ---- mmap (asm-generic/mman-common.h) ---- */
#define LINUX_PROT_READ           0x1
#define LINUX_PROT_WRITE          0x2
#define LINUX_PROT_EXEC           0x4
#define LINUX_SIGEV_SIGNAL        0          /* struct sigevent: notify with a signal */
#define LINUX_SIGEV_NONE          1          /* no notification */
#define LINUX_SIGEV_THREAD_ID     4          /* signal to one thread */
#define LINUX_PROT_GROWSDOWN      0x01000000 /* mprotect: extend to the start of the area */
#define LINUX_PROT_GROWSUP        0x02000000 /* mprotect: extend to the end of the area */
#define LINUX_MAP_SHARED          0x01
#define LINUX_MAP_PRIVATE         0x02
#define LINUX_MAP_SHARED_VALIDATE 0x03
#define LINUX_MAP_TYPE            0x0f
#define LINUX_MAP_FIXED           0x10
#define LINUX_MAP_ANONYMOUS       0x20
#define LINUX_MAP_NORESERVE       0x4000
#define LINUX_MAP_POPULATE        0x8000
#define LINUX_MAP_STACK           0x20000
#define LINUX_MAP_FIXED_NOREPLACE 0x100000
#define LINUX_MREMAP_MAYMOVE      1
#define LINUX_MREMAP_FIXED        2
#define LINUX_MADV_DONTNEED       4

/* ---- clone (uapi/linux/sched.h) ---- */
#define LINUX_CSIGNAL              0x000000ff
#define LINUX_CLONE_VM             0x00000100
#define LINUX_CLONE_FS             0x00000200
#define LINUX_CLONE_FILES          0x00000400
#define LINUX_CLONE_SIGHAND        0x00000800
#define LINUX_CLONE_VFORK          0x00004000
#define LINUX_CLONE_PARENT         0x00008000
#define LINUX_CLONE_THREAD         0x00010000
#define LINUX_CLONE_SYSVSEM        0x00040000
#define LINUX_CLONE_SETTLS         0x00080000
#define LINUX_CLONE_PARENT_SETTID  0x00100000
#define LINUX_CLONE_CHILD_CLEARTID 0x00200000
#define LINUX_CLONE_CHILD_SETTID   0x01000000

/* ---- futex (uapi/linux/futex.h) ---- */
#define LINUX_FUTEX_CMD_MASK 0x7f /* without PRIVATE (128) and CLOCK_REALTIME (256) */

/* ---- signals (asm-generic/signal.h) ---- */
#define LINUX_NSIG         64
#define LINUX_SIGHUP       1
#define LINUX_SIGINT       2
#define LINUX_SIGQUIT      3
#define LINUX_SIGILL       4
#define LINUX_SIGTRAP      5
#define LINUX_SIGABRT      6
#define LINUX_SIGBUS       7
#define LINUX_SIGFPE       8
#define LINUX_SIGKILL      9
#define LINUX_SIGUSR1      10
#define LINUX_SIGSEGV      11
#define LINUX_SIGUSR2      12
#define LINUX_SIGPIPE      13
#define LINUX_SIGALRM      14
#define LINUX_SIGTERM      15
#define LINUX_SIGSTKFLT    16
#define LINUX_SIGCHLD      17
#define LINUX_SIGCONT      18
#define LINUX_SIGSTOP      19
#define LINUX_SIGTSTP      20
#define LINUX_SIGTTIN      21
#define LINUX_SIGTTOU      22
#define LINUX_SIGURG       23
#define LINUX_SIGXCPU      24
#define LINUX_SIGXFSZ      25
#define LINUX_SIGVTALRM    26
#define LINUX_SIGPROF      27
#define LINUX_SIGWINCH     28
#define LINUX_SIGIO        29
#define LINUX_SIGPWR       30
#define LINUX_SIGSYS       31
#define LINUX_SIG_DFL      0ull
#define LINUX_SIG_IGN      1ull
#define LINUX_SA_NOCLDSTOP 0x00000001u
#define LINUX_SA_NOCLDWAIT 0x00000002u
#define LINUX_SA_SIGINFO   0x00000004u
#define LINUX_SA_ONSTACK   0x08000000u
#define LINUX_SA_RESTART   0x10000000u
#define LINUX_SA_NODEFER   0x40000000u
#define LINUX_SA_RESETHAND 0x80000000u
#define LINUX_SIG_BLOCK    0
#define LINUX_SIG_UNBLOCK  1
#define LINUX_SIG_SETMASK  2
#define LINUX_SS_ONSTACK   1
#define LINUX_SS_DISABLE   2
#define LINUX_MINSIGSTKSZ  2048
#define LINUX_SEGV_MAPERR  1
#define LINUX_SEGV_ACCERR  2
#define LINUX_BUS_ADRALN   1
#define LINUX_ILL_ILLOPC   1
#define LINUX_TRAP_BRKPT   1
#define LINUX_SI_USER      0
#define LINUX_SI_QUEUE     (-1)
#define LINUX_SI_TKILL     (-6)
#define LINUX_SI_TIMER     (-2) /* a POSIX timer's expiry */
#define LINUX_SI_SIGIO     (-5) /* queued SIGIO */
#define LINUX_SI_KERNEL    0x80 /* sent by the kernel */
#define LINUX_SIGRTMIN     32   /* the first real-time signal: from here on signals queue */
#define LINUX_SFD_NONBLOCK LINUX_O_NONBLOCK /* signalfd4 flags */
#define LINUX_SFD_CLOEXEC  LINUX_O_CLOEXEC

/* ---- auxiliary vector (uapi/linux/auxvec.h) ---- */
#define LINUX_AT_NULL        0
#define LINUX_AT_PHDR        3
#define LINUX_AT_PHENT       4
#define LINUX_AT_PHNUM       5
#define LINUX_AT_PAGESZ      6
#define LINUX_AT_BASE        7
#define LINUX_AT_FLAGS       8
#define LINUX_AT_ENTRY       9
#define LINUX_AT_UID         11
#define LINUX_AT_EUID        12
#define LINUX_AT_GID         13
#define LINUX_AT_EGID        14
#define LINUX_AT_HWCAP       16
#define LINUX_AT_CLKTCK      17
#define LINUX_AT_SECURE      23
#define LINUX_AT_RANDOM      25
#define LINUX_AT_HWCAP2      26
#define LINUX_AT_EXECFN      31
#define LINUX_AT_MINSIGSTKSZ 51
/* AT_HWCAP bits: one per single-letter extension, bit (letter - 'a'). */
#define LINUX_HWCAP_ISA(c) (1ull << ((c) - 'a'))
#define LINUX_HWCAP_RV64GC                                                                         \
    (LINUX_HWCAP_ISA('i') | LINUX_HWCAP_ISA('m') | LINUX_HWCAP_ISA('a') | LINUX_HWCAP_ISA('f') |   \
     LINUX_HWCAP_ISA('d') | LINUX_HWCAP_ISA('c'))

/* ---- terminal ioctls (asm-generic/ioctls.h) ---- */
#define LINUX_TCGETS       0x5401
#define LINUX_TCSETS       0x5402
#define LINUX_TCSETSW      0x5403
#define LINUX_TCSETSF      0x5404
#define LINUX_TCSBRK       0x5409 /* tcdrain (argument 1) or tcsendbreak (0): waits */
#define LINUX_TCSBRKP      0x5425 /* tcsendbreak for a POSIX duration (deciseconds) */
#define LINUX_TIOCGPGRP    0x540F
#define LINUX_TIOCSPGRP    0x5410
#define LINUX_TIOCGWINSZ   0x5413
#define LINUX_TIOCSWINSZ   0x5414
#define LINUX_FIONREAD     0x541B
#define LINUX_TIOCGPTN     0x80045430 /* pty number of a master (unsigned int out) */
#define LINUX_TIOCSPTLCK   0x40045431 /* lock/unlock the pty's slave (int in) */
#define LINUX_TIOCGPTPEER  0x5441     /* open the slave of a master (flags) */
#define LINUX_FIONBIO      0x5421
#define LINUX_FIONCLEX     0x5450     /* clear close-on-exec */
#define LINUX_FIOCLEX      0x5451     /* set close-on-exec */
#define LINUX_TCGETS2      0x802c542a /* struct termios2 out (glibc 2.42's tcgetattr) */
#define LINUX_TCSETS2      0x402c542b /* struct termios2 in, now */
#define LINUX_TCSETSW2     0x402c542c /* struct termios2 in, after output drains */
#define LINUX_TCSETSF2     0x402c542d /* struct termios2 in, after a flush */
#define LINUX_SIOCGIFNAME  0x8910     /* interface name of ifr_ifindex (struct ifreq in/out) */
#define LINUX_SIOCGIFINDEX 0x8933     /* interface index of ifr_name (struct ifreq in/out) */
#define LINUX_FICLONE      0x40049409 /* share the source descriptor's blocks (reflink) */
#define LINUX_FICLONERANGE 0x4020940d /* the same for a range (struct file_clone_range) */

/* ---- structures (guest layouts) ---- */

/* Guest structures can sit at any guest address, so those the syscall layer reads or writes
 * in place are declared packed: every access is then an unaligned-safe access. They have no
 * implicit padding (the asserts below pin their sizes), so packing does not change the layout. */
#define LINUX_PACKED __attribute__((packed))

/* Scalars in guest memory (possibly misaligned). */
typedef struct linux_u32 {
    uint32_t v; /* the value */
} LINUX_PACKED linux_u32_t;
/* A signed 32-bit guest scalar. */
typedef struct linux_s32 {
    int32_t v; /* the value */
} LINUX_PACKED linux_s32_t;
/* An unsigned 64-bit guest scalar. */
typedef struct linux_u64 {
    uint64_t v; /* the value */
} LINUX_PACKED linux_u64_t;
/* A signed 64-bit guest scalar. */
typedef struct linux_s64 {
    int64_t v; /* the value */
} LINUX_PACKED linux_s64_t;

/* struct timespec: seconds and nanoseconds, both 64-bit on riscv64. */
typedef struct linux_timespec {
    int64_t tv_sec;  /* seconds */
    int64_t tv_nsec; /* nanoseconds */
} LINUX_PACKED linux_timespec_t;

/* struct timeval (gettimeofday, rusage). */
typedef struct linux_timeval {
    int64_t tv_sec;  /* seconds */
    int64_t tv_usec; /* microseconds */
} LINUX_PACKED linux_timeval_t;

/* struct iovec: one scatter/gather element. */
typedef struct linux_iovec {
    uint64_t iov_base; /* guest address */
    uint64_t iov_len;  /* length in bytes */
} LINUX_PACKED linux_iovec_t;

/* asm-generic struct stat (128 bytes), used by fstat and newfstatat on riscv64. */
typedef struct linux_stat {
    uint64_t st_dev;        /* device */
    uint64_t st_ino;        /* inode */
    uint32_t st_mode;       /* type and permissions */
    uint32_t st_nlink;      /* hard links */
    uint32_t st_uid;        /* owner */
    uint32_t st_gid;        /* group */
    uint64_t st_rdev;       /* device of a special file */
    uint64_t __pad1;        /* reserved */
    int64_t st_size;        /* size in bytes */
    int32_t st_blksize;     /* preferred I/O block */
    int32_t __pad2;         /* reserved */
    int64_t st_blocks;      /* 512-byte blocks */
    int64_t st_atime_sec;   /* access time */
    uint64_t st_atime_nsec; /* access time, ns */
    int64_t st_mtime_sec;   /* modification time */
    uint64_t st_mtime_nsec; /* modification time, ns */
    int64_t st_ctime_sec;   /* status change time */
    uint64_t st_ctime_nsec; /* status change time, ns */
    uint32_t __unused4;     /* reserved */
    uint32_t __unused5;     /* reserved */
} LINUX_PACKED linux_stat_t;
_Static_assert(sizeof(linux_stat_t) == 128, "asm-generic struct stat is 128 bytes");
_Static_assert(offsetof(linux_stat_t, st_size) == 48, "st_size offset");
_Static_assert(offsetof(linux_stat_t, st_blocks) == 64, "st_blocks offset");

/* struct statx_timestamp. */
typedef struct linux_statx_timestamp {
    int64_t tv_sec;     /* seconds */
    uint32_t tv_nsec;   /* nanoseconds */
    int32_t __reserved; /* padding */
} LINUX_PACKED linux_statx_timestamp_t;

/* struct statx (256 bytes). */
typedef struct linux_statx {
    uint32_t stx_mask;                 /* which fields are filled */
    uint32_t stx_blksize;              /* preferred I/O block */
    uint64_t stx_attributes;           /* file attributes */
    uint32_t stx_nlink;                /* hard links */
    uint32_t stx_uid;                  /* owner */
    uint32_t stx_gid;                  /* group */
    uint16_t stx_mode;                 /* type and permissions */
    uint16_t __spare0;                 /* padding */
    uint64_t stx_ino;                  /* inode */
    uint64_t stx_size;                 /* size */
    uint64_t stx_blocks;               /* 512-byte blocks */
    uint64_t stx_attributes_mask;      /* supported attributes */
    linux_statx_timestamp_t stx_atime; /* access */
    linux_statx_timestamp_t stx_btime; /* birth */
    linux_statx_timestamp_t stx_ctime; /* status change */
    linux_statx_timestamp_t stx_mtime; /* modification */
    uint32_t stx_rdev_major;           /* special file device */
    uint32_t stx_rdev_minor;           /* special file device */
    uint32_t stx_dev_major;            /* containing device */
    uint32_t stx_dev_minor;            /* containing device */
    uint64_t __spare2[14];             /* reserved */
} LINUX_PACKED linux_statx_t;
_Static_assert(sizeof(linux_statx_t) == 256, "struct statx is 256 bytes");
_Static_assert(offsetof(linux_statx_t, stx_atime) == 64, "stx_atime offset");

/* struct rlimit64. */
typedef struct linux_rlimit {
    uint64_t rlim_cur; /* soft limit */
    uint64_t rlim_max; /* hard limit */
} LINUX_PACKED linux_rlimit_t;

/* struct new_utsname: six 65-byte strings. */
typedef struct linux_utsname {
    char sysname[65];    /* "Linux" */
    char nodename[65];   /* host name */
    char release[65];    /* kernel release */
    char version[65];    /* kernel version */
    char machine[65];    /* "riscv64" */
    char domainname[65]; /* NIS domain */
} LINUX_PACKED linux_utsname_t;
_Static_assert(sizeof(linux_utsname_t) == 390, "struct new_utsname is 390 bytes");

/* struct sysinfo (64-bit layout). */
typedef struct linux_sysinfo {
    int64_t uptime;     /* seconds since boot */
    uint64_t loads[3];  /* 1, 5, 15 minute loads, fixed point */
    uint64_t totalram;  /* total RAM in mem_unit */
    uint64_t freeram;   /* free RAM */
    uint64_t sharedram; /* shared RAM */
    uint64_t bufferram; /* buffers */
    uint64_t totalswap; /* swap */
    uint64_t freeswap;  /* free swap */
    uint16_t procs;     /* processes */
    uint16_t pad;       /* padding */
    uint32_t pad2;      /* padding to 8 */
    uint64_t totalhigh; /* high memory */
    uint64_t freehigh;  /* free high memory */
    uint32_t mem_unit;  /* unit of the RAM fields */
    char _f[4];         /* padding */
} LINUX_PACKED linux_sysinfo_t;
_Static_assert(sizeof(linux_sysinfo_t) == 112, "struct sysinfo is 112 bytes");

/* struct linux_dirent64 header (the name follows, NUL-terminated, record 8-aligned). */
typedef struct linux_dirent64 {
    uint64_t d_ino;    /* inode */
    int64_t d_off;     /* offset of the next record */
    uint16_t d_reclen; /* record length */
    uint8_t d_type;    /* DT_* type */
    char d_name[];     /* name */
} linux_dirent64_t;
_Static_assert(offsetof(linux_dirent64_t, d_name) == 19, "dirent64 name offset");

/* Kernel struct sigaction for riscv64: no sa_restorer (riscv does not define SA_RESTORER; the
 * return path is the vDSO's), mask of 64 bits. */
typedef struct linux_sigaction {
    uint64_t handler; /* SIG_DFL, SIG_IGN or guest address */
    uint64_t flags;   /* SA_* */
    uint64_t mask;    /* signals blocked during the handler */
} LINUX_PACKED linux_sigaction_t;
_Static_assert(sizeof(linux_sigaction_t) == 24, "riscv64 struct sigaction");

/* stack_t. */
typedef struct linux_stack {
    uint64_t ss_sp;   /* base */
    int32_t ss_flags; /* SS_* */
    int32_t __pad;    /* padding */
    uint64_t ss_size; /* size */
} LINUX_PACKED linux_stack_t;
_Static_assert(sizeof(linux_stack_t) == 24, "stack_t");

/* siginfo_t (128 bytes); only the fields vm fills. */
typedef struct linux_siginfo {
    int32_t si_signo; /* signal */
    int32_t si_errno; /* errno */
    int32_t si_code;  /* SI_* / SEGV_* ... */
    int32_t __pad;    /* alignment of the union */
    union {
        uint64_t addr; /* faulting address (SIGSEGV, SIGBUS, SIGILL, SIGTRAP) */
        struct {
            int32_t pid;  /* sender */
            uint32_t uid; /* sender's uid */
        } kill;
        uint8_t bytes[112]; /* the rest of the union */
    } u;
} linux_siginfo_t;
_Static_assert(sizeof(linux_siginfo_t) == 128, "siginfo_t is 128 bytes");

/* The parts of siginfo_t's union vm reads by name (offsets of the generic layout, the same on
 * every 64-bit Linux). */
typedef struct linux_siginfo_fields {
    int32_t si_signo, si_errno, si_code, __pad;
    int32_t pid;    /* 16: sender (kill, rt, child); timer id (timer) */
    uint32_t uid;   /* 20: sender's uid; timer overrun (timer) */
    uint64_t value; /* 24: si_value (rt, timer); exit status in the low half (child) */
    int64_t utime;  /* 32: child's user time */
    int64_t stime;  /* 40: child's system time */
    uint8_t rest[80];
} linux_siginfo_fields_t;
_Static_assert(sizeof(linux_siginfo_fields_t) == 128, "siginfo_t is 128 bytes");

/* struct signalfd_siginfo (uapi/linux/signalfd.h): what a read of a signalfd returns per
 * signal. */
typedef struct linux_signalfd_siginfo {
    uint32_t ssi_signo;     /* signal */
    int32_t ssi_errno;      /* si_errno */
    int32_t ssi_code;       /* si_code */
    uint32_t ssi_pid;       /* sender */
    uint32_t ssi_uid;       /* sender's uid */
    int32_t ssi_fd;         /* SIGIO: descriptor */
    uint32_t ssi_tid;       /* timer id */
    uint32_t ssi_band;      /* SIGIO: band */
    uint32_t ssi_overrun;   /* timer overrun */
    uint32_t ssi_trapno;    /* trap number */
    int32_t ssi_status;     /* SIGCHLD: exit status or signal */
    int32_t ssi_int;        /* si_int */
    uint64_t ssi_ptr;       /* si_ptr */
    uint64_t ssi_utime;     /* SIGCHLD: user time */
    uint64_t ssi_stime;     /* SIGCHLD: system time */
    uint64_t ssi_addr;      /* faulting address */
    uint16_t ssi_addr_lsb;  /* BUS_MCEERR_*: lsb of the address */
    uint16_t __pad2;        /* padding */
    int32_t ssi_syscall;    /* SIGSYS: system call */
    uint64_t ssi_call_addr; /* SIGSYS: its address */
    uint32_t ssi_arch;      /* SIGSYS: its AUDIT_ARCH */
    uint8_t __pad[28];      /* to 128 bytes */
} linux_signalfd_siginfo_t;
_Static_assert(sizeof(linux_signalfd_siginfo_t) == 128, "signalfd_siginfo is 128 bytes");
_Static_assert(offsetof(linux_signalfd_siginfo_t, ssi_ptr) == 48, "signalfd_siginfo ssi_ptr");
_Static_assert(offsetof(linux_signalfd_siginfo_t, ssi_arch) == 96, "signalfd_siginfo ssi_arch");

/* struct sigcontext: integer registers (pc in slot 0) then the D-extension state, in the
 * 16-byte-aligned union that also has room for the Q extension. */
typedef struct linux_sigcontext {
    uint64_t gregs[32];                    /* pc, ra, sp, gp, ... t6 */
    _Alignas(16) uint64_t fpregs[32];      /* f0..f31 */
    uint32_t fcsr;                         /* fflags | frm << 5 */
    uint8_t fp_reserved[528 - 32 * 8 - 4]; /* rest of union __riscv_fp_state */
} linux_sigcontext_t;
_Static_assert(sizeof(linux_sigcontext_t) == 784, "riscv64 sigcontext");

/* struct ucontext for riscv64: the signal mask takes 128 bytes before the context. */
typedef struct linux_ucontext {
    uint64_t uc_flags;              /* flags */
    uint64_t uc_link;               /* guest pointer */
    linux_stack_t uc_stack;         /* alternate stack at delivery */
    uint64_t uc_sigmask;            /* mask to restore */
    uint8_t __unused[120];          /* room for a larger sigset_t */
    linux_sigcontext_t uc_mcontext; /* registers */
} linux_ucontext_t;
_Static_assert(offsetof(linux_ucontext_t, uc_mcontext) == 176, "ucontext mcontext offset");
_Static_assert(sizeof(linux_ucontext_t) == 960, "riscv64 ucontext");

/* The frame pushed on the guest stack for a handler. */
typedef struct linux_rt_sigframe {
    linux_siginfo_t info; /* a1 points here */
    linux_ucontext_t uc;  /* a2 points here */
} linux_rt_sigframe_t;
_Static_assert(sizeof(linux_rt_sigframe_t) == 1088, "riscv64 rt_sigframe");

/* struct winsize. */
typedef struct linux_winsize {
    uint16_t ws_row;    /* rows */
    uint16_t ws_col;    /* columns */
    uint16_t ws_xpixel; /* width */
    uint16_t ws_ypixel; /* height */
} LINUX_PACKED linux_winsize_t;

/* struct termios as the asm-generic TCGETS sees it (36 bytes). */
typedef struct linux_termios {
    uint32_t c_iflag; /* input modes */
    uint32_t c_oflag; /* output modes */
    uint32_t c_cflag; /* control modes */
    uint32_t c_lflag; /* local modes */
    uint8_t c_line;   /* line discipline */
    uint8_t c_cc[19]; /* control characters */
} LINUX_PACKED linux_termios_t;
_Static_assert(sizeof(linux_termios_t) == 36, "kernel termios");

/* struct termios2 (TCGETS2 and friends): termios and the two line speeds in baud (44 bytes). */
typedef struct linux_termios2 {
    linux_termios_t t; /* as TCGETS */
    uint32_t c_ispeed; /* input speed, baud */
    uint32_t c_ospeed; /* output speed, baud */
} LINUX_PACKED linux_termios2_t;
_Static_assert(sizeof(linux_termios2_t) == 44, "kernel termios2");

/* struct pollfd. */
typedef struct linux_pollfd {
    int32_t fd;      /* descriptor */
    int16_t events;  /* requested */
    int16_t revents; /* returned */
} LINUX_PACKED linux_pollfd_t;

/* struct epoll_event: packed on x86-64 hosts, naturally aligned (16 bytes) on riscv64. */
typedef struct linux_epoll_event {
    uint32_t events; /* EPOLL* */
    uint32_t __pad;  /* alignment */
    uint64_t data;   /* user data */
} LINUX_PACKED linux_epoll_event_t;
_Static_assert(sizeof(linux_epoll_event_t) == 16, "riscv64 epoll_event");

/* struct rusage (time fields then 14 longs). */
typedef struct linux_rusage {
    linux_timeval_t ru_utime; /* user time */
    linux_timeval_t ru_stime; /* system time */
    int64_t rest[14];         /* maxrss ... nivcsw */
} LINUX_PACKED linux_rusage_t;

/* struct tms. */
typedef struct linux_tms {
    int64_t tms_utime;  /* user time */
    int64_t tms_stime;  /* system time */
    int64_t tms_cutime; /* children user */
    int64_t tms_cstime; /* children system */
} LINUX_PACKED linux_tms_t;

/* struct msghdr (64-bit). */
typedef struct linux_msghdr {
    uint64_t msg_name;       /* address */
    uint32_t msg_namelen;    /* its length */
    uint32_t __pad;          /* padding */
    uint64_t msg_iov;        /* iovec array */
    uint64_t msg_iovlen;     /* count */
    uint64_t msg_control;    /* ancillary data */
    uint64_t msg_controllen; /* its length */
    int32_t msg_flags;       /* flags */
    int32_t __pad2;          /* padding */
} LINUX_PACKED linux_msghdr_t;
_Static_assert(sizeof(linux_msghdr_t) == 56, "msghdr");

/* Translate a host errno value to the guest's (explicit table; unknown -> EINVAL). */
int linux_errno_from_host(int host_errno);
