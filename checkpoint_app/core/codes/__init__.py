"""The JKM1 wire format: "JKM1:" + Base45(zlib(COSE_Sign1(CWT claims)))."""
