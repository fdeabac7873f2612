package evhttp

import "errors"

// Errors returned by the request parser (requestParser.parse), the framing
// decision (decideFraming) and the chunked decoder (chunkedDecoder.decode).
// Each is comparable with errors.Is; a returned error wraps one of them with
// more detail. The status returned alongside says how the server answers:
// Corrupt → 400 unless the error says otherwise, TooLong → 414/431/413.
var (
	// ErrLineEnding: a line ended by a bare LF, or holding a bare CR or a
	// NUL byte anywhere (request line, header, chunk-size line, trailer).
	ErrLineEnding = errors.New("evhttp: bare CR, bare LF or NUL in message")
	// ErrRequestLine: the request line does not have the shape
	// method SP request-target SP HTTP-version.
	ErrRequestLine = errors.New("evhttp: malformed request line")
	// ErrMethod: the method is not an RFC 9110 token.
	ErrMethod = errors.New("evhttp: invalid method")
	// ErrTarget: the request-target is not in a form allowed for the method.
	ErrTarget = errors.New("evhttp: invalid request-target")
	// ErrVersion: the HTTP-version is not "HTTP/" DIGIT "." DIGIT.
	ErrVersion = errors.New("evhttp: malformed HTTP version")
	// ErrUnsupportedVersion: a well-formed version other than HTTP/1.0 and
	// HTTP/1.1; the server answers 505.
	ErrUnsupportedVersion = errors.New("evhttp: unsupported HTTP version")
	// ErrRequestLineTooLong: the request line exceeds the limit (414).
	ErrRequestLineTooLong = errors.New("evhttp: request line too long")
	// ErrHeaderTooLarge: the header section (or trailer section) exceeds
	// its byte limit (431).
	ErrHeaderTooLarge = errors.New("evhttp: header section too large")
	// ErrTooManyHeaders: more header fields than the limit (431).
	ErrTooManyHeaders = errors.New("evhttp: too many header fields")
	// ErrHeaderName: a field name that is empty or not a token, including
	// whitespace before the colon, or a line without a colon.
	ErrHeaderName = errors.New("evhttp: invalid header field name")
	// ErrHeaderValue: a field value holding a control byte other than HT.
	ErrHeaderValue = errors.New("evhttp: invalid header field value")
	// ErrObsFold: a header line starting with SP or HT (obsolete line
	// folding, RFC 9112 §5.2), rejected.
	ErrObsFold = errors.New("evhttp: obsolete line folding")
	// ErrContentLengthWithTransferEncoding: both framing headers present.
	ErrContentLengthWithTransferEncoding = errors.New("evhttp: both Content-Length and Transfer-Encoding")
	// ErrTransferEncoding: Transfer-Encoding whose final coding is not
	// chunked, chunked applied twice, or an empty/malformed list.
	ErrTransferEncoding = errors.New("evhttp: invalid Transfer-Encoding")
	// ErrUnsupportedTransferCoding: a valid Transfer-Encoding ending in
	// chunked with other codings before it; the server answers 501.
	ErrUnsupportedTransferCoding = errors.New("evhttp: unsupported transfer coding")
	// ErrTransferEncodingHTTP10: Transfer-Encoding in an HTTP/1.0 request.
	ErrTransferEncodingHTTP10 = errors.New("evhttp: Transfer-Encoding in HTTP/1.0 request")
	// ErrContentLength: a Content-Length that is not 1*DIGIT or overflows.
	ErrContentLength = errors.New("evhttp: invalid Content-Length")
	// ErrDuplicateContentLength: more than one Content-Length value, as
	// repeated fields or as a list, even when the values are equal.
	ErrDuplicateContentLength = errors.New("evhttp: duplicate Content-Length")
	// ErrDuplicateHost: more than one Host field.
	ErrDuplicateHost = errors.New("evhttp: duplicate Host")
	// ErrMissingHost: an HTTP/1.1 request without Host. It comes with
	// status AllRead (the request is otherwise complete and framed) so that
	// the server can choose to accept it; by default it answers 400.
	ErrMissingHost = errors.New("evhttp: missing Host in HTTP/1.1 request")
	// ErrChunkSize: a chunk-size line that is not 1*HEXDIG [chunk-ext].
	ErrChunkSize = errors.New("evhttp: invalid chunk size")
	// ErrChunkExtension: a chunk extension holding control bytes or
	// not starting with a token.
	ErrChunkExtension = errors.New("evhttp: invalid chunk extension")
	// ErrChunkEnd: chunk data not followed by exactly CRLF.
	ErrChunkEnd = errors.New("evhttp: chunk data not followed by CRLF")
	// ErrBodyTooLarge: a chunk size beyond 1<<62 or a body beyond the
	// limit (413).
	ErrBodyTooLarge = errors.New("evhttp: body too large")
	// ErrBuffer: the evbuffer refused an operation (frozen, unreadable
	// file segment).
	ErrBuffer = errors.New("evhttp: buffer error")
)

// Errors of the server's connections, given to cancel and body callbacks.
var (
	// ErrTimeout: a timeout passed: the server's header, body, idle or
	// write timeout, or a client Connection's connect, read or write
	// timeout. It satisfies net.Error with Timeout() true.
	ErrTimeout error = timeoutError{}
	// ErrIncomplete: the connection ended in the middle of a request.
	ErrIncomplete = errors.New("evhttp: request incomplete")
	// ErrAborted: the handler aborted the request (Request.Abort).
	ErrAborted = errors.New("evhttp: request aborted by its handler")
)

type timeoutError struct{}

func (timeoutError) Error() string   { return "evhttp: timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
