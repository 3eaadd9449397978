# SNPT and DNPT (libip6t_SNPT, libip6t_DNPT, ip6t_NPT): prefixes of at most 64 bits with no bit
# set past them (the kernel's checkentry), mangle only, SNPT in INPUT and POSTROUTING, DNPT in
# PREROUTING and OUTPUT; a prefix of ::/0 is left out of the saved form.
:PREROUTING,OUTPUT
*mangle
-j DNPT --src-pfx dead::/64 --dst-pfx 1c3::/64;=;OK
-j DNPT --src-pfx dead::/48 --dst-pfx 1c3::/56;=;OK
-j DNPT --src-pfx ::/0 --dst-pfx 1c3::/64;-j DNPT --dst-pfx 1c3::/64;OK
-j DNPT --src-pfx dead::/ffff:ffff:ffff:ffff:: --dst-pfx 1c3::/64;-j DNPT --src-pfx dead::/64 --dst-pfx 1c3::/64;OK
-j DNPT --src-pfx dead::/ffff:: --dst-pfx 1c3::/64;-j DNPT --src-pfx dead::/16 --dst-pfx 1c3::/64;OK
-j DNPT --src-pfx dead::beef --dst-pfx 1c3::/64;;FAIL
-j DNPT --src-pfx dead::1/64 --dst-pfx 1c3::/64;;FAIL
-j DNPT --src-pfx dead::/65 --dst-pfx 1c3::/64;;FAIL
-j DNPT --src-pfx dead::/129 --dst-pfx 1c3::/64;;FAIL
-j DNPT --src-pfx 1.2.3.4/8 --dst-pfx 1c3::/64;;FAIL
-j DNPT --src-pfx dead::/64;;FAIL
-j DNPT;;FAIL
-j DNPT --src-pfx dead::/64 --dst-pfx 1c3::/64 --src-pfx beef::/64;;FAIL
-j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64;;FAIL
:INPUT,POSTROUTING
*mangle
-j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64;=;OK
-j SNPT --src-pfx 2001:db8:1::/48 --dst-pfx 2001:db8:2::/48;=;OK
-j DNPT --src-pfx dead::/64 --dst-pfx 1c3::/64;;FAIL
:FORWARD
*mangle
-j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64;;FAIL
:INPUT
*filter
-j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64;;FAIL
