package evhttp

// HTTP status codes the server produces itself or that handlers commonly
// send (RFC 9110 §15). Any code from 100 to 999 may be sent.
const (
	StatusContinue           = 100
	StatusSwitchingProtocols = 101
	StatusProcessing         = 102
	StatusEarlyHints         = 103

	StatusOK                   = 200
	StatusCreated              = 201
	StatusAccepted             = 202
	StatusNonAuthoritativeInfo = 203
	StatusNoContent            = 204
	StatusPartialContent       = 206

	StatusMovedPermanently  = 301
	StatusFound             = 302
	StatusSeeOther          = 303
	StatusNotModified       = 304
	StatusTemporaryRedirect = 307
	StatusPermanentRedirect = 308

	StatusBadRequest                  = 400
	StatusUnauthorized                = 401
	StatusForbidden                   = 403
	StatusNotFound                    = 404
	StatusMethodNotAllowed            = 405
	StatusRequestTimeout              = 408
	StatusLengthRequired              = 411
	StatusPreconditionFailed          = 412
	StatusContentTooLarge             = 413
	StatusURITooLong                  = 414
	StatusRangeNotSatisfiable         = 416
	StatusExpectationFailed           = 417
	StatusRequestHeaderFieldsTooLarge = 431

	StatusInternalServerError     = 500
	StatusNotImplemented          = 501
	StatusBadGateway              = 502
	StatusServiceUnavailable      = 503
	StatusGatewayTimeout          = 504
	StatusHTTPVersionNotSupported = 505
)

var statusText = map[int]string{
	100: "Continue",
	101: "Switching Protocols",
	102: "Processing",
	103: "Early Hints",
	200: "OK",
	201: "Created",
	202: "Accepted",
	203: "Non-Authoritative Information",
	204: "No Content",
	205: "Reset Content",
	206: "Partial Content",
	300: "Multiple Choices",
	301: "Moved Permanently",
	302: "Found",
	303: "See Other",
	304: "Not Modified",
	307: "Temporary Redirect",
	308: "Permanent Redirect",
	400: "Bad Request",
	401: "Unauthorized",
	402: "Payment Required",
	403: "Forbidden",
	404: "Not Found",
	405: "Method Not Allowed",
	406: "Not Acceptable",
	407: "Proxy Authentication Required",
	408: "Request Timeout",
	409: "Conflict",
	410: "Gone",
	411: "Length Required",
	412: "Precondition Failed",
	413: "Content Too Large",
	414: "URI Too Long",
	415: "Unsupported Media Type",
	416: "Range Not Satisfiable",
	417: "Expectation Failed",
	421: "Misdirected Request",
	422: "Unprocessable Content",
	426: "Upgrade Required",
	428: "Precondition Required",
	429: "Too Many Requests",
	431: "Request Header Fields Too Large",
	500: "Internal Server Error",
	501: "Not Implemented",
	502: "Bad Gateway",
	503: "Service Unavailable",
	504: "Gateway Timeout",
	505: "HTTP Version Not Supported",
}

// classText names each status class, for codes the table lacks (libevent
// does the same).
var classText = [...]string{1: "Informational", 2: "Success", 3: "Redirection", 4: "Client Error", 5: "Server Error"}

// statusTable is statusText as an array indexed by code, with the class
// names filled in: StatusText runs for every reply.
var statusTable = func() (t [600]string) {
	for code := 100; code < 600; code++ {
		if s, ok := statusText[code]; ok {
			t[code] = s
		} else {
			t[code] = classText[code/100]
		}
	}
	return t
}()

// StatusText returns the reason phrase for code: RFC 9110's phrase, the
// class name ("Client Error") for an unlisted code of a known class, or ""
// for a code outside 100–599.
func StatusText(code int) string {
	if code >= 100 && code < 600 {
		return statusTable[code]
	}
	return ""
}

// bodyAllowed reports whether a response with this status may carry a body
// (RFC 9110 §6.4.1: not 1xx, 204 or 304).
func bodyAllowed(code int) bool {
	return code >= 200 && code != StatusNoContent && code != StatusNotModified
}
