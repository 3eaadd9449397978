# ecn, tcpmss, quota: their options, the protocol the kernel wants, their saved forms.
:INPUT,FORWARD,OUTPUT
-m ecn;;FAIL
-m ecn --ecn-tcp-ece;;FAIL
-m ecn --ecn-ip-ect 1;=;OK
-m ecn --ecn-ip-ect 4;;FAIL
-p tcp -m ecn --ecn-tcp-cwr ! --ecn-tcp-ece;-p tcp -m ecn ! --ecn-tcp-ece --ecn-tcp-cwr;OK
-p tcp -m ecn ! --ecn-ip-ect 3 --ecn-tcp-ece;-p tcp -m ecn --ecn-tcp-ece ! --ecn-ip-ect 3;OK
-m tcpmss --mss 1460;;FAIL
-p tcp -m tcpmss --mss 1400:1460;=;OK
-p tcp -m tcpmss ! --mss 536;=;OK
-p tcp -m tcpmss --mss 1200:;-p tcp -m tcpmss --mss 1200:65535;OK
-p tcp -m tcpmss --mss 1460:1400;;FAIL
-p tcp -m tcpmss --mss 70000;;FAIL
-m quota;;FAIL
-m quota --quota 1048576;=;OK
-m quota ! --quota 0x10;-m quota ! --quota 16;OK
-m quota --quota 18446744073709551616;;FAIL
