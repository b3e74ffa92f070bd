DATE_FORMAT = "l j F Y"
