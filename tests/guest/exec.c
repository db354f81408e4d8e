/* exec.c - execve: a riscv64 program exec'd by the guest runs inside vm again, with the argv
 * and environment it was given; /proc/self/exe names the guest program; a "#!" script runs
 * its interpreter with Linux's argv; a missing file or a file that is not a riscv64 program
 * (or a script whose interpreter is none) fails with the guest's errno; so does a riscv64 ELF
 * that vm cannot load (absurd program headers, a segment where the stack goes), without
 * ending the calling process; AT_EXECFN is the name given to execve (the script's for a
 * script). An exec'd program that a fault kills ends its process by that
 * signal, so the waiting parent sees WIFSIGNALED (fork + execve, and posix_spawn's vfork).
 *
 *   exec try FILE... - execve each FILE (bad-elf.sh's malformed corpus) and print what each
 *   call returned: every one must fail with an errno and leave this process running. */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A copy of this program at path, damaged by damage(); executable. 0 or -1. */
static int damaged_copy(const char *self, const char *path, void (*damage)(unsigned char *)) {
    static unsigned char buf[8 << 20];
    FILE *f = fopen(self, "rb");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    damage(buf);
    f = fopen(path, "wb");
    if (!f) return -1;
    fwrite(buf, 1, n, f);
    fclose(f);
    return chmod(path, 0755);
}

/* e_phnum far beyond anything vm (or Linux) reads. */
static void absurd_phnum(unsigned char *b) {
    ((Elf64_Ehdr *)b)->e_phnum = 0xffff;
}

/* The last PT_LOAD moved into the top 8 MiB of the 256 GiB space, where the stack goes. */
static void load_at_top(unsigned char *b) {
    Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
    Elf64_Phdr *ph = (Elf64_Phdr *)(b + eh->e_phoff), *last = NULL;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD) last = &ph[i];
    if (last) last->p_vaddr = last->p_paddr = 0x3fffc00000ull + (last->p_vaddr & 0xfff);
}

/* The name of errno e, for the lines bad-elf.sh reads. */
static const char *errno_name(int e) {
    switch (e) {
    case ENOEXEC: return "ENOEXEC";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case EIO: return "EIO";
    case ENOMEM: return "ENOMEM";
    default: return "other";
    }
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "try")) {
        for (int i = 2; i < argc; i++) {
            char *args[] = {argv[i], NULL};
            errno = 0;
            int r = execve(argv[i], args, NULL);
            const char *base = strrchr(argv[i], '/');
            printf("execve %s: %d %s\n", base ? base + 1 : argv[i], r, errno_name(errno));
            fflush(stdout);
        }
        printf("still running\n");
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "child")) {
        const char *fn = (const char *)getauxval(AT_EXECFN), *want = getenv("EXEC_FN");
        printf("exec'd child: argc=%d argv[0]=%s argv[2]=%s env=%s AT_EXECFN as given: %s\n", argc,
               argv[0], argv[2], getenv("EXEC_VAR"),
               fn && want && !strcmp(fn, want) ? "yes" : "no");
        return 42;
    }
    if (argc > 1 && !strcmp(argv[1], "segv")) {
        volatile int *volatile nowhere = NULL;
        *nowhere = 1;
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "script-arg  x")) {
        char self[4096];
        const char *fn = (const char *)getauxval(AT_EXECFN);
        printf("script child: argc=%d argv[0] is the interpreter: %s, argv[2] is the script: "
               "%s, argv[3]=%s, AT_EXECFN is the script: %s\n",
               argc, realpath(argv[0], self) && !strcmp(argv[0], self) ? "yes" : "no",
               argc > 2 && strstr(argv[2], "vm-exec-script") ? "yes" : "no",
               argc > 3 ? argv[3] : "-", fn && argc > 2 && !strcmp(fn, argv[2]) ? "yes" : "no");
        return 7;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *targets[] = {argv[0], "/proc/self/exe"};
    for (int i = 0; i < 2; i++) {
        pid_t c = fork();
        if (c == 0) {
            char *args[] = {"renamed", "child", "second arg", NULL};
            char fnvar[4200];
            snprintf(fnvar, sizeof(fnvar), "EXEC_FN=%s", targets[i]);
            char *env[] = {"EXEC_VAR=from-execve", fnvar, NULL};
            execve(targets[i], args, env);
            printf("execve failed: errno %d\n", errno);
            _exit(1);
        }
        int st;
        waitpid(c, &st, 0);
        printf("child %d exit %d\n", i, WEXITSTATUS(st));
    }
    /* an exec'd program killed by a fault: the parent sees the signal, not an exit code */
    for (int i = 0; i < 2; i++) {
        char *sargs[] = {"renamed", "segv", NULL};
        pid_t c = -1;
        if (i == 0) {
            c = fork();
            if (c == 0) {
                execv(argv[0], sargs);
                _exit(1);
            }
        } else if (posix_spawn(&c, argv[0], NULL, NULL, sargs, NULL)) {
            c = -1;
        }
        int st = 0;
        if (c < 0 || waitpid(c, &st, 0) != c) return 1;
        printf("%s child that faults: %s %d\n", i ? "posix_spawn" : "fork+execve",
               WIFSIGNALED(st) ? "killed by signal" : "exit",
               WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    }
    char *args[] = {"x", NULL};
    errno = 0;
    printf("missing: %d errno %s\n", execve("/nonexistent/prog", args, NULL),
           errno == ENOENT ? "ENOENT" : "other");
    errno = 0;
    printf("host program: %d errno %s\n", execve("/bin/sh", args, NULL),
           errno == ENOEXEC ? "ENOEXEC" : "other");
    /* names of this process's own: other runs of this test may be going on at the same time */
    char notelf[64], script[64];
    snprintf(notelf, sizeof(notelf), "/tmp/vm-exec-notelf-%d", (int)getpid());
    snprintf(script, sizeof(script), "/tmp/vm-exec-script-%d", (int)getpid());
    FILE *f = fopen(notelf, "w");
    fputs("just text\n", f);
    fclose(f);
    chmod(notelf, 0755);
    errno = 0;
    printf("not a program: %d errno %s\n", execve(notelf, args, NULL),
           errno == ENOEXEC ? "ENOEXEC" : "other");
    unlink(notelf);

    /* Scripts: this program as the interpreter, with an argument (blanks inside kept, the
     * trailing ones dropped, as Linux does); then interpreters that cannot run. */
    char self[4096], line[4200];
    if (!realpath(argv[0], self)) return 1;
    const char *lines[] = {"#!%s script-arg  x  \n", "#!/bin/sh\n", "#!/nonexistent/interp\n"};
    const char *names[] = {"script", "script with host interpreter", "script, no interpreter"};
    for (int i = 0; i < 3; i++) {
        snprintf(line, sizeof(line), lines[i], self);
        f = fopen(script, "w");
        fputs(line, f);
        fclose(f);
        chmod(script, 0755);
        pid_t c = fork();
        if (c == 0) {
            char *sargs[] = {"ignored", "tail", NULL};
            execv(script, sargs);
            printf("%s: errno %s\n", names[i],
                   errno == ENOEXEC  ? "ENOEXEC"
                   : errno == ENOENT ? "ENOENT"
                                     : "other");
            _exit(1);
        }
        int st;
        waitpid(c, &st, 0);
        printf("%s: exit %d\n", names[i], WEXITSTATUS(st));
    }
    unlink(script);

    /* riscv64 ELF files vm refuses: the call fails, this process goes on */
    char bad[64];
    snprintf(bad, sizeof(bad), "/tmp/vm-exec-bad-%d", (int)getpid());
    void (*damages[])(unsigned char *) = {absurd_phnum, load_at_top};
    const char *what[] = {"absurd e_phnum", "segment in the stack area"};
    for (int i = 0; i < 2; i++) {
        if (damaged_copy(self, bad, damages[i])) return 1;
        errno = 0;
        int r = execve(bad, args, NULL);
        printf("%s: %d errno %s\n", what[i], r, errno == ENOEXEC ? "ENOEXEC" : "other");
    }
    unlink(bad);
    return 0;
}
