:INPUT,FORWARD
-p ipcomp -m ipcomp --ipcompspi 300;=;OK
-p ipcomp -m ipcomp ! --ipcompspi 300:400 -j DROP;=;OK
-p ipcomp -m ipcomp --ipcompspi :;-p ipcomp -m ipcomp;OK
-p ipcomp -m ipcomp --ipcompspi 70000:;-p ipcomp -m ipcomp --ipcompspi 70000:4294967295;OK
-p ipcomp -m ipcomp --ipcompspi 9:9 --compres;-p ipcomp -m ipcomp --ipcompspi 9 --compres;OK
-p ipcomp -m ipcomp --ipcompspi 9:8;;FAIL;SINCE 1.8.10
-m ipcomp --ipcompspi 9;;FAIL
