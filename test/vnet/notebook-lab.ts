/**
 * The notebook's "Separate Network Configuration" (Learning Notes on FreeBSD Jails, VNET
 * Jails): its lab jail.conf and the output of `sudo vnet list -r`, verbatim.
 */

/** The notebook's /etc/jail.conf of the five-jail lab. */
export const NOTEBOOK_LAB_JAIL_CONF = `exec.start = "/bin/sh /etc/rc";
exec.stop = "/bin/sh /etc/rc.shutdown";
exec.clean;
mount.devfs;

host.hostname = $name;
path = "/vm/$name";
exec.consolelog = "/var/log/jail_\${name}_console.log";

allow.chflags;
allow.raw_sockets;
mount = "/var/cache/pkg /vm/\${name}/mnt nullfs ro 0 0";

r1 {
        $net1 = "vi1";
        $ipv41 = "172.31.1.1";

        $net2 = "vi2";
        $ipv42 = "172.31.2.1";

        $plen = 24;

        vnet;
        vnet.interface = \${net1}_$name, \${net2}_$name;
        exec.prestart += "vnet add -b $net1 \${net1}_$name";
        exec.prestart += "vnet add -b $net2 \${net2}_$name";
        exec.start += "ifconfig \${net1}_$name $ipv41/$plen";
        exec.start += "ifconfig \${net2}_$name $ipv42/$plen";
        exec.start += "sysctl net.inet.ip.forwarding=1";
        exec.poststop += "vnet delete $net1 \${net1}_$name";
        exec.poststop += "vnet delete $net2 \${net2}_$name";

        devfs_ruleset = 10;
}

vpnr1 {
        $net1 = "vi1";
        $ipv41 = "172.31.1.11";

        $net2 = "vri1";
        $ipv42 = "192.168.1.1";

        $gwv4 = "172.31.1.1";
        $plen = 24;

        vnet;
        vnet.interface = \${net1}_$name, \${net2}_$name;
        exec.prestart += "vnet add -b $net1 \${net1}_$name";
        exec.prestart += "vnet add -b $net2 \${net2}_$name";
        exec.start += "ifconfig \${net1}_$name $ipv41/$plen";
        exec.start += "ifconfig \${net2}_$name $ipv42/$plen";
        exec.start += "route add default $gwv4";
        exec.start += "sysctl net.inet.ip.forwarding=1";
        exec.poststop += "vnet delete $net1 \${net1}_$name";
        exec.poststop += "vnet delete $net2 \${net2}_$name";

        devfs_ruleset = 11;
}

vpnr2 {
        $net1 = "vi2";
        $ipv41 = "172.31.2.11";

        $net2 = "vri2";
        $ipv42 = "192.168.2.1";

        $gwv4 = "172.31.2.1";
        $plen = 24;

        vnet;
        vnet.interface = \${net1}_$name, \${net2}_$name;
        exec.prestart += "vnet add -b $net1 \${net1}_$name";
        exec.prestart += "vnet add -b $net2 \${net2}_$name";
        exec.start += "ifconfig \${net1}_$name $ipv41/$plen";
        exec.start += "ifconfig \${net2}_$name $ipv42/$plen";
        exec.start += "route add default $gwv4";
        exec.start += "sysctl net.inet.ip.forwarding=1";
        exec.poststop += "vnet delete $net1 \${net1}_$name";
        exec.poststop += "vnet delete $net2 \${net2}_$name";

        devfs_ruleset = 11;
}

vpnh1 {
        $net = "vri1";
        $ipv4 = "192.168.1.11";

        $gwv4 = "192.168.1.1";
        $plen = 24;

        vnet;
        vnet.interface = "\${net}_$name";
        exec.prestart += "vnet add -b \${net} \${net}_$name";
        exec.start += "ifconfig \${net}_$name $ipv4/$plen";
        exec.start += "route add default $gwv4";
        exec.poststop += "vnet delete $net \${net}_$name";
}

vpnh2 {
        $net = "vri2";
        $ipv4 = "192.168.2.11";

        $gwv4 = "192.168.2.1";
        $plen = 24;

        vnet;
        vnet.interface = "\${net}_$name";
        exec.prestart += "vnet add -b \${net} \${net}_$name";
        exec.start += "ifconfig \${net}_$name $ipv4/$plen";
        exec.start += "route add default $gwv4";
        exec.poststop += "vnet delete $net \${net}_$name";
}
`;

/** The notebook's `vnet list -r` of the lab. */
export const NOTEBOOK_LAB_LISTING = `vi1
  r1 vi1_r1 172.31.1.1/24
  vpnr1 vi1_vpnr1 172.31.1.11/24
vi2
  r1 vi2_r1 172.31.2.1/24
  vpnr2 vi2_vpnr2 172.31.2.11/24
vri1
  vpnh1 vri1_vpnh1 192.168.1.11/24
  vpnr1 vri1_vpnr1 192.168.1.1/24
vri2
  vpnh2 vri2_vpnh2 192.168.2.11/24
  vpnr2 vri2_vpnr2 192.168.2.1/24
`;

/** The notebook's bridged jail b1 ("Bridged Configuration"). */
export const NOTEBOOK_B1 = `b1 {
        $net = "em0";
        $gwv4 = "192.168.1.1";
        $ipv4 = "192.168.1.11";
        $plen = 24;

        vnet;
        vnet.interface = "\${net}_$name";
        exec.prestart += "vnet add $net \${net}_$name";
        exec.start    += "ifconfig \${net}_$name $ipv4/$plen";
        exec.start    += "route add default $gwv4";
        exec.poststop += "vnet delete $net \${net}_$name";
}
`;

/** The notebook's routed jail v1 ("Routed Configuration"). */
export const NOTEBOOK_V1 = `v1 {
        $net = "vi0";
        $gwv4 = "172.31.0.1";
        $ipv4 = "172.31.0.11";
        $plen = 24;

        vnet;
        vnet.interface = "\${net}_$name";
        exec.prestart += "vnet add -4 $gwv4/$plen $net \${net}_$name";
        exec.start += "ifconfig \${net}_$name $ipv4/$plen";
        exec.start += "route add default $gwv4";
        exec.poststop += "vnet delete $net \${net}_$name";
}
`;
