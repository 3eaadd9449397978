# -m iprange (libxt_iprange, xt_iprange): --src-range and --dst-range, each ADDR or LOW-HIGH,
# negatable, at least one of them; saved source first, each as LOW-HIGH in numeric form (a single
# address as itself twice). A reversed range loads as written and matches nothing.
:INPUT,FORWARD,OUTPUT
-m iprange --src-range 10.0.0.1-10.0.0.9;-m iprange --src-range 10.0.0.1-10.0.0.9;OK
-m iprange --src-range 10.0.0.1;-m iprange --src-range 10.0.0.1-10.0.0.1;OK
-m iprange ! --dst-range 192.0.2.1-192.0.2.9 --src-range 10.0.0.1;-m iprange --src-range 10.0.0.1-10.0.0.1 ! --dst-range 192.0.2.1-192.0.2.9;OK
-m iprange --dst-range 192.0.2.9-192.0.2.1;-m iprange --dst-range 192.0.2.9-192.0.2.1;OK
-m iprange;;FAIL
-m iprange --src-range 10.0.0.1-;;FAIL
-m iprange --src-range 10.0.0.1-2001:db8::1;;FAIL
-m iprange --src-range 10.0.0.1 --src-range 10.0.0.2;;FAIL
