"""Reading QR codes from frames: decoders, preprocessing, the stabilizer."""
