# -j RATEEST and -m rateest (libxt_RATEEST.c, libxt_rateest.c; the kernel's xt_RATEEST.c and
# xt_rateest.c checkentry). RATEEST keeps the interval as 2^i/4 s (i from 0 to 5, the first at
# least as long as the one given) and the averaging as a power of two of intervals; it saves both
# back as times. Estimators are the namespace's, by name: a second RATEEST of a name must have the
# same interval and averaging, and rateest reads only estimators a RATEEST has made.
*mangle
:PREROUTING,OUTPUT
-j RATEEST --rateest-name E1 --rateest-interval 250ms --rateest-ewmalog 500ms;-j RATEEST --rateest-name E1 --rateest-interval 250.0ms --rateest-ewmalog 500.0ms;OK
-j RATEEST --rateest-name E2 --rateest-interval 1s --rateest-ewmalog 4s;-j RATEEST --rateest-name E2 --rateest-interval 1.0s --rateest-ewmalog 4.0s;OK
-j RATEEST --rateest-name E3 --rateest-interval 300ms --rateest-ewmalog 1s;-j RATEEST --rateest-name E3 --rateest-interval 500.0ms --rateest-ewmalog 1.0s;OK
-j RATEEST --rateest-name E4 --rateest-interval 8s --rateest-ewmalog 20s;-j RATEEST --rateest-name E4 --rateest-interval 8.0s --rateest-ewmalog 16.0s;OK
-j RATEEST --rateest-name E5 --rateest-interval 100us --rateest-ewmalog 1s;-j RATEEST --rateest-name E5 --rateest-interval 250.0ms --rateest-ewmalog 2048.0s;OK
-j RATEEST --rateest-name E6 --rateest-interval 250000 --rateest-ewmalog 0.5SEC;-j RATEEST --rateest-name E6 --rateest-interval 250.0ms --rateest-ewmalog 500.0ms;OK
-j RATEEST --rateest-name abcdefghijklmnopq --rateest-interval 250ms --rateest-ewmalog 500ms;-j RATEEST --rateest-name abcdefghijklmno --rateest-interval 250.0ms --rateest-ewmalog 500.0ms;OK
-j RATEEST --rateest-name E7 --rateest-interval 9s --rateest-ewmalog 20s;;FAIL
-j RATEEST --rateest-name E7 --rateest-interval 250ms --rateest-ewmalog 1ms;;FAIL
-j RATEEST --rateest-name E7 --rateest-interval 250ms;;FAIL
-j RATEEST --rateest-name E7 --rateest-ewmalog 500ms;;FAIL
-j RATEEST --rateest-interval 250ms --rateest-ewmalog 500ms;;FAIL
-j RATEEST --rateest-name E7 --rateest-interval 1min --rateest-ewmalog 2s;;FAIL
-j RATEEST --rateest-name E7 --rateest-interval 250ms --rateest-ewmalog 500ms --rateest-interval 1s;;FAIL
%iptables -t raw -A PREROUTING -j RATEEST --rateest-name E1 --rateest-interval 250ms --rateest-ewmalog 500ms
-j RATEEST --rateest-name E1 --rateest-interval 250ms --rateest-ewmalog 500ms;-j RATEEST --rateest-name E1 --rateest-interval 250.0ms --rateest-ewmalog 500.0ms;OK
-j RATEEST --rateest-name E1 --rateest-interval 300ms --rateest-ewmalog 500ms;;FAIL
-j RATEEST --rateest-name E1 --rateest-interval 250ms --rateest-ewmalog 2s;;FAIL
%iptables -t raw -D PREROUTING -j RATEEST --rateest-name E1 --rateest-interval 250ms --rateest-ewmalog 500ms
*filter
:INPUT,FORWARD,OUTPUT
-m rateest --rateest E1 --rateest-lt --rateest-bps 8bit;;FAIL
%iptables -t mangle -A PREROUTING -j RATEEST --rateest-name E1 --rateest-interval 250ms --rateest-ewmalog 500ms
%iptables -t mangle -A PREROUTING -j RATEEST --rateest-name E2 --rateest-interval 1s --rateest-ewmalog 4s
-m rateest --rateest E1 --rateest-lt --rateest-bps 8bit;=;OK
-m rateest --rateest E1 --rateest-bps 5kbit --rateest-gt;-m rateest --rateest E1 --rateest-gt --rateest-bps 5000bit;OK
-m rateest --rateest E1 --rateest-eq --rateest-bps 2mbit;-m rateest --rateest E1 --rateest-eq --rateest-bps 2000Kbit;OK
-m rateest --rateest E1 --rateest-eq --rateest-bps 2gbit;-m rateest --rateest E1 --rateest-eq --rateest-bps 2000Mbit;OK
-m rateest --rateest E1 --rateest-lt --rateest-bps 1KBps;-m rateest --rateest E1 --rateest-lt --rateest-bps 8000bit;OK
-m rateest --rateest E1 --rateest-lt --rateest-bps 1kibit;-m rateest --rateest E1 --rateest-lt --rateest-bps 1024bit;OK
-m rateest --rateest E1 --rateest-lt --rateest-bps 16;-m rateest --rateest E1 --rateest-lt --rateest-bps 16bit;OK
-m rateest --rateest E1 --rateest-lt --rateest-bps 12bit;-m rateest --rateest E1 --rateest-lt --rateest-bps 8bit;OK
-m rateest --rateest E1 --rateest-lt --rateest-bps 8furlongs;;FAIL
-m rateest --rateest E1 ! --rateest-lt --rateest-pps 5;=;OK
-m rateest --rateest E1 --rateest-lt --rateest-pps 0x10;-m rateest --rateest E1 --rateest-lt --rateest-pps 16;OK
-m rateest --rateest E1 --rateest-lt --rateest-pps 5x;;FAIL
-m rateest --rateest E1 --rateest-lt --rateest-bps 8bit --rateest-pps 5;-m rateest --rateest E1 --rateest-lt --rateest-bps 8bit --rateest-lt --rateest-pps 5;OK
-m rateest --rateest E1 --rateest-lt --rateest-gt --rateest-bps 8bit;-m rateest --rateest E1 --rateest-gt --rateest-bps 8bit;OK
-m rateest --rateest E1 --rateest-bps1 8bit --rateest-lt;-m rateest --rateest E1 --rateest-lt --rateest-bps 0bit;OK
-m rateest --rateest1 E1 --rateest-gt --rateest-bps --rateest2 E2;=;OK
-m rateest --rateest2 E2 --rateest1 E1 --rateest-gt --rateest-pps;-m rateest --rateest1 E1 --rateest-gt --rateest-pps --rateest2 E2;OK
-m rateest --rateest-delta --rateest E1 --rateest-bps1 8bit --rateest-lt --rateest-bps2 16bit;=;OK
-m rateest --rateest-delta --rateest E1 --rateest-bps1 --rateest-lt --rateest-bps2 16bit;-m rateest --rateest-delta --rateest E1 --rateest-bps1 0bit --rateest-lt --rateest-bps2 16bit;OK
-m rateest --rateest-delta --rateest1 E1 --rateest-pps1 3 --rateest-eq --rateest-pps2 4 --rateest2 E2;=;OK
-m rateest --rateest E1 --rateest-bps 8bit;;FAIL
-m rateest --rateest E1 --rateest-lt;;FAIL
-m rateest --rateest-lt --rateest-bps 8bit;;FAIL
-m rateest --rateest E9 --rateest-lt --rateest-bps 8bit;;FAIL
-m rateest --rateest1 E1 --rateest-lt --rateest-bps --rateest2 E9;;FAIL
-m rateest ! --rateest E1 --rateest-lt --rateest-bps 8bit;;FAIL
-m rateest --rateest E1 ! --rateest-bps 8bit --rateest-lt;;FAIL
-m rateest --rateest E1 --rateest-lt --rateest-lt --rateest-bps 8bit;;FAIL
-m rateest --rateest E1 --rateest1 E2 --rateest-lt --rateest-bps 8bit;;FAIL
