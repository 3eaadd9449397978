:INPUT,FORWARD,OUTPUT
-m ipvs --vaddr 198.51.100.10;=;OK
-m ipvs ! --vaddr 198.51.100.7/255.255.255.0;-m ipvs ! --vaddr 198.51.100.7/24;OK
:INPUT,FORWARD
-p tcp -m osf --genre Linux;=;OK
-p tcp -m osf ! --genre Windows --ttl 1 --log 2;=;OK
-p tcp -m osf --genre Linux --ttl 3;;FAIL
-m osf --genre Linux;;FAIL
