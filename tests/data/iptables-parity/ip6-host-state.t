:INPUT,FORWARD,OUTPUT
-m ipvs --vaddr 2001:db8::10;=;OK
-m ipvs --vaddr 2001:db8::/32;=;OK
