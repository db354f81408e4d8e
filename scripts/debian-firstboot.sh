#!/bin/sh
# debian-firstboot.sh - the configure stage of scripts/debian-image.sh. It is copied into the
# image as /vm-firstboot and run once, inside vm, by the initramfs (chrooted into /dev/vda).
#
# The packages are unpacked and recorded as unpacked in dpkg's database
# (scripts/dpkg-unpacked.py): run their preinst scripts (base-passwd and base-files first and
# configured at once, since every other script needs the users and the directories they
# make), let dpkg configure everything, check that `dpkg --audit` finds nothing left, then
# set up the machine: root's password "root", host name "debian", /etc/fstab, apt's source,
# the kernel modules' dependencies. Prints "firstboot: done" as its last line on success.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive
export DEBCONF_NONINTERACTIVE_SEEN=true
t0=$(date +%s)
ln -sf /usr/share/zoneinfo/UTC /etc/localtime
# no service starts while packages are configured (what debootstrap does too)
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
preinst() {
    f=/var/lib/dpkg/info/$1.preinst
    [ -x "$f" ] || return 0
    DPKG_MAINTSCRIPT_NAME=preinst DPKG_MAINTSCRIPT_PACKAGE=${1%%:*} \
        DPKG_MAINTSCRIPT_ARCH=riscv64 DPKG_ROOT='' "$f" install ||
        echo "firstboot: the preinst of $1 failed"
}
echo "firstboot: preinst scripts"
for p in base-passwd base-files; do
    preinst $p
    dpkg --configure --force-depends $p || echo "firstboot: configuring $p failed"
done
for p in $(cat /var/lib/dpkg/vm-unpacked); do
    case $p in
    base-passwd | base-files) ;;
    *) preinst "$p" ;;
    esac
done
echo "firstboot: dpkg --configure -a"
dpkg --configure --pending --force-configure-any --force-depends ||
    echo "firstboot: the first pass of dpkg --configure failed; a second one follows"
if ! dpkg --configure -a; then
    echo "firstboot: FAILED dpkg --configure -a"
    exit 1
fi
ldconfig
audit=$(dpkg --audit)
if [ -n "$audit" ]; then
    echo "$audit" | sed 's/^/firstboot: audit: /'
    echo "firstboot: FAILED dpkg --audit"
    exit 1
fi
echo "firstboot: $(dpkg-query -W | wc -l) packages configured in $(($(date +%s) - t0)) s"
echo root:root | chpasswd || exit 1
echo debian >/etc/hostname
printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
    >/etc/hosts
printf '# <file system> <mount point> <type> <options> <dump> <pass>\n' >/etc/fstab
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >>/etc/fstab
echo 'deb http://deb.debian.org/debian sid main' >/etc/apt/sources.list
depmod -a "$(ls /usr/lib/modules | tail -n 1)" || exit 1
apt-get clean
rm -f /etc/dpkg/dpkg.cfg.d/vm-unsafe-io /usr/sbin/policy-rc.d /var/lib/dpkg/vm-unpacked \
    /vm-firstboot
sync
echo "firstboot: done"
