:INPUT,FORWARD
-m policy --dir in --pol ipsec --strict --proto esp --tunnel-src 192.0.2.0/24;;FAIL
-m policy --dir in --pol ipsec --strict --proto esp --mode tunnel --tunnel-src 192.0.2.0/24;=;OK
