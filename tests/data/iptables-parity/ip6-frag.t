:INPUT,FORWARD
-m frag ! --fraglen 40;=;OK
