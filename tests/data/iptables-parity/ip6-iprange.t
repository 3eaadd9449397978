# -m iprange over IPv6: saved as inet_ntop writes each address, so a single zero field is written
# out (2001:db8:2:0:ffff:...), not shortened to '::' as it may be given.
:INPUT,FORWARD,OUTPUT
-m iprange --src-range 2001:db8:2::-2001:db8:2::ffff:ffff:ffff:ffff;-m iprange --src-range 2001:db8:2::-2001:db8:2:0:ffff:ffff:ffff:ffff;OK
-m iprange ! --dst-range 2001:DB8::1;-m iprange ! --dst-range 2001:db8::1-2001:db8::1;OK
-m iprange --src-range ::ffff:10.0.0.1;-m iprange --src-range ::ffff:10.0.0.1-::ffff:10.0.0.1;OK
-m iprange --src-range 2001:db8::1-10.0.0.1;;FAIL
