"""Pure parsers for captured conversations: RFC 822 mail and WhatsApp chat exports. No Django, no
database: bytes in, plain data out, so they are tested (and benchmarked) on their own."""
