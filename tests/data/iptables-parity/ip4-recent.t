:INPUT,FORWARD
-m recent --rcheck --hitcount 255 --name scan;-m recent --rcheck --hitcount 255 --name scan --mask 255.255.255.255 --rsource;OK
-m recent --set --name scan --rdest;-m recent --set --name scan --mask 255.255.255.255 --rdest;OK
-m recent --rcheck --hitcount 300 --name scan;-m recent --rcheck --hitcount 300 --name scan --mask 255.255.255.255 --rsource;OK
