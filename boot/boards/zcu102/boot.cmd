# qhv on the ZCU102: U-Boot runs this script from the SD card's FAT
# partition, as boot.scr (`cargo xtask image --board zcu102` wraps this
# text in a U-Boot script image). U-Boot on the ZynqMP runs at EL2 under
# Arm Trusted Firmware; `booti` enters the kernel at EL2 with x0 = the
# device tree. U-Boot's distro boot (or bootstd) sets devtype, devnum and
# distro_bootpart; the defaults are for the SD slot, partition 1, and
# kernel_addr_r and fdt_addr_r default to U-Boot's own for the ZynqMP
# (include/configs/xilinx_zynqmp.h).
if test -z "${devtype}"; then setenv devtype mmc; fi
if test -z "${devnum}"; then setenv devnum 0; fi
if test -z "${distro_bootpart}"; then setenv distro_bootpart 1; fi
if test -z "${kernel_addr_r}"; then setenv kernel_addr_r 0x18000000; fi
if test -z "${fdt_addr_r}"; then setenv fdt_addr_r 0x40000000; fi
echo "qhv: loading qhv.img from ${devtype} ${devnum}:${distro_bootpart}"
load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} qhv.img
if load ${devtype} ${devnum}:${distro_bootpart} ${fdt_addr_r} zynqmp-zcu102-rev1.0.dtb; then
    booti ${kernel_addr_r} - ${fdt_addr_r}
else
    echo "qhv: no zynqmp-zcu102-rev1.0.dtb on the card: booting with U-Boot's own device tree"
    booti ${kernel_addr_r} - ${fdtcontroladdr}
fi
