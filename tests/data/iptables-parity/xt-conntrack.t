# conntrack: at least one option; reversed port and expiry ranges and protocol 0 refused.
:INPUT,FORWARD
-m conntrack;;FAIL
-m conntrack --ctstate NEW,ESTABLISHED;-m conntrack --ctstate NEW,ESTABLISHED;OK
-m conntrack --ctproto 17;=;OK
-m conntrack --ctproto udp;-m conntrack --ctproto 17;OK
-m conntrack --ctproto 0;;FAIL;SINCE 1.8.10
-m conntrack --ctorigdstport 8000:8080;=;OK
-m conntrack --ctorigdstport 8080:8000;;FAIL;SINCE 1.8.10
-m conntrack --ctreplsrcport :;-m conntrack --ctreplsrcport 0:65535;OK
-m conntrack --ctreplsrcport 99:;-m conntrack --ctreplsrcport 99:65535;OK
-m conntrack --ctexpire 30:60;=;OK
-m conntrack --ctexpire 60:60;-m conntrack --ctexpire 60;OK
-m conntrack --ctexpire 60:30;;FAIL;SINCE 1.8.10
-m conntrack --ctexpire :30;-m conntrack --ctexpire 0:30;OK
