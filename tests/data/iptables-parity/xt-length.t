:INPUT,FORWARD,OUTPUT
-m length;;FAIL
-m length --length 1400:;-m length --length 1400:65535;OK
-m length --length :64;-m length --length 0:64;OK
-m length --length :;-m length --length 0:65535;OK
-m length --length 576:576;-m length --length 576;OK
-m length ! --length 100:200;=;OK
-m length --length 200:100;;FAIL;SINCE 1.8.10
-m length --length 0:65536;;FAIL
