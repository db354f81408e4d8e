#!/bin/busybox sh
# debian-init.sh - /init of the initramfs that scripts/debian-image.sh builds for its Debian
# image: load the disk's modules (virtio_mmio, virtio_blk, ext4 and their dependencies, put
# in /lib in load order), mount /dev/vda read-write on /root, and either run the configure
# stage (vm.firstboot on the kernel's command line: /vm-firstboot chrooted into the disk,
# then poweroff) or move /dev over and switch_root to systemd.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /lib/*.ko; do insmod "$m" || echo "initramfs: insmod $m failed"; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
firstboot=0
for a in $(cat /proc/cmdline); do
    [ "$a" = vm.firstboot ] && firstboot=1
done
if ! mount -t ext4 -o rw /dev/vda /root; then
    echo "initramfs: cannot mount /dev/vda; a shell on the console"
    setsid cttyhack sh
    poweroff -f
fi
if [ $firstboot = 1 ]; then
    mkdir -p /root/proc /root/sys /root/dev
    mount -t proc proc /root/proc
    mount -t sysfs sys /root/sys
    mount -o bind /dev /root/dev
    chroot /root /vm-firstboot
    echo "initramfs: configure stage exited with $?"
    umount /root/dev/pts 2>/dev/null
    umount /root/proc /root/sys /root/dev
    sync
    umount /root || mount -o remount,ro /root
    sync
    poweroff -f
fi
mount --move /dev /root/dev
umount /proc /sys
exec switch_root /root /sbin/init
