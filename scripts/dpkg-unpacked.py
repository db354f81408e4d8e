#!/usr/bin/env python3
"""dpkg-unpacked.py - record packages unpacked with `dpkg-deb -x` in a root's dpkg database,
as dpkg's own `--unpack` would have left them: state "unpacked", not configured.

    scripts/dpkg-unpacked.py ROOT DEB...

For scripts/debian-image.sh, which unpacks Debian's riscv64 packages on the host (where no
maintainer script can run) and leaves their configuration to `dpkg --configure -a` inside vm.
Unpacking in the guest instead would decompress every package a second time under emulation,
which is most of a debootstrap second stage's time.

For each .deb (already extracted under ROOT, or extracted here when ROOT/.vm-unpacked lacks
it): its control files go to ROOT/var/lib/dpkg/info/NAME.* (NAME is "pkg:arch" for
Multi-Arch: same packages, as dpkg names them), the paths of its data part to NAME.list, its
control paragraph with "Status: install ok unpacked" to ROOT/var/lib/dpkg/status, and each
conffile is renamed to CONFFILE.dpkg-new and listed with the hash "newconffile", which is how
dpkg hands a new conffile to its configure step. The trigger interests of the packages'
"triggers" files go to ROOT/var/lib/dpkg/triggers/ (File for file triggers, one file per
named trigger), where dpkg's unpack would have registered them. The package names, in the order given, go to
ROOT/var/lib/dpkg/vm-unpacked (the guest runs their preinst scripts in that order). Run it
under fakeroot when not root, so that the renamed and new files keep root as their owner.
"""
import os
import subprocess
import sys
import tempfile

CONTROL_SKIP = {"control"}


def control_fields(text):
    """Parse one control paragraph into an ordered list of (field, value-with-continuations)."""
    fields = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0] in " \t" and fields:
            fields[-1] = (fields[-1][0], fields[-1][1] + "\n" + line)
        else:
            k, _, v = line.partition(":")
            fields.append((k, v.strip()))
    return fields


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: dpkg-unpacked.py ROOT DEB...")
    root = sys.argv[1]
    admin = os.path.join(root, "var/lib/dpkg")
    info = os.path.join(admin, "info")
    os.makedirs(info, exist_ok=True)
    for d in ("updates", "triggers", "alternatives", "parts"):
        os.makedirs(os.path.join(admin, d), exist_ok=True)
    done_file = os.path.join(root, ".vm-unpacked")
    done = set()
    if os.path.exists(done_file):
        with open(done_file) as f:
            done = set(f.read().split())
    paragraphs = []
    order = []
    file_triggers = []  # "PATH PKG[/noawait]" lines of triggers/File
    named_triggers = {}  # trigger name -> "PKG[/noawait]" lines of triggers/NAME
    for deb in sys.argv[2:]:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["dpkg-deb", "-e", deb, tmp], check=True)
            with open(os.path.join(tmp, "control")) as f:
                fields = control_fields(f.read())
            fd = dict(fields)
            pkg, arch = fd["Package"], fd.get("Architecture", "all")
            name = f"{pkg}:{arch}" if fd.get("Multi-Arch") == "same" else pkg
            if os.path.basename(deb) not in done:
                subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
            tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], check=True,
                                 stdout=subprocess.PIPE).stdout
            paths = subprocess.run(["tar", "-tf", "-"], input=tar, check=True,
                                   stdout=subprocess.PIPE).stdout.decode().splitlines()
            with open(os.path.join(info, name + ".list"), "w") as f:
                for p in paths:
                    p = p[1:] if p.startswith(".") else p
                    p = p.rstrip("/") or "/."
                    f.write(p + "\n")
            conffiles = []
            cpath = os.path.join(tmp, "conffiles")
            if os.path.exists(cpath):
                with open(cpath) as f:
                    for line in f:
                        words = line.split()
                        # "remove-on-upgrade /etc/x" and other flagged lines name no new file
                        if len(words) != 1:
                            continue
                        cf = words[0]
                        src = os.path.join(root, cf.lstrip("/"))
                        if os.path.lexists(src):
                            os.replace(src, src + ".dpkg-new")
                            conffiles.append(cf)
            # the trigger interests dpkg --unpack would have registered
            tpath = os.path.join(tmp, "triggers")
            if os.path.exists(tpath):
                with open(tpath) as f:
                    for line in f:
                        words = line.split("#")[0].split()
                        if len(words) != 2 or not words[0].startswith("interest"):
                            continue
                        who = name + ("/noawait" if words[0] == "interest-noawait" else "")
                        if words[1].startswith("/"):
                            file_triggers.append(f"{words[1]} {who}")
                        else:
                            named_triggers.setdefault(words[1], []).append(who)
            for entry in sorted(os.listdir(tmp)):
                if entry in CONTROL_SKIP:
                    continue
                dst = os.path.join(info, f"{name}.{entry}")
                with open(os.path.join(tmp, entry), "rb") as s, open(dst, "wb") as d:
                    d.write(s.read())
                os.chmod(dst, os.stat(os.path.join(tmp, entry)).st_mode & 0o7777)
        out = []
        for k, v in fields:
            out.append(f"{k}: {v}" if v or "\n" not in v else f"{k}:{v}")
            if k == "Package":
                out.append("Status: install ok unpacked")
        if conffiles:
            out.append("Conffiles:")
            out.extend(f" {cf} newconffile" for cf in conffiles)
        paragraphs.append("\n".join(out) + "\n")
        order.append(name)
    with open(os.path.join(admin, "status"), "w") as f:
        f.write("\n".join(paragraphs))
    open(os.path.join(admin, "available"), "a").close()
    trig = os.path.join(admin, "triggers")
    with open(os.path.join(trig, "File"), "w") as f:
        f.write("".join(line + "\n" for line in file_triggers))
    for tname, who in named_triggers.items():
        with open(os.path.join(trig, tname), "w") as f:
            f.write("".join(w + "\n" for w in who))
    open(os.path.join(trig, "Unincorp"), "a").close()
    with open(os.path.join(admin, "vm-unpacked"), "w") as f:
        f.write("\n".join(order) + "\n")


if __name__ == "__main__":
    main()
