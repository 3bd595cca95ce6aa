package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"golang.org/x/net/http2/hpack"
)

// The standard health check (grpc.health.v1, health.proto): one unary
// call over HTTP/2 without TLS (h2c, prior knowledge), as Kubernetes'
// gRPC probe makes it. Only hpack comes from a library: header blocks
// from real servers use Huffman coding and the dynamic table.
const healthCheckPath = "/grpc.health.v1.Health/Check"

// HTTP/2 frame types and flags (RFC 9113, section 6).
const (
	frameData         = 0x0
	frameHeaders      = 0x1
	frameRSTStream    = 0x3
	frameSettings     = 0x4
	framePing         = 0x6
	frameGoAway       = 0x7
	frameContinuation = 0x9

	flagEndStream  = 0x1
	flagAck        = 0x1
	flagEndHeaders = 0x4
	flagPadded     = 0x8
	flagPriority   = 0x20
)

const clientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// maxFrame bounds what the probe reads: its peer may not send frames
// over the 16 KiB default the probe never raises.
const maxFrame = 1 << 14

// servingStatus names HealthCheckResponse.ServingStatus values.
var servingStatus = map[uint64]string{0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}

// grpcCodes names the gRPC status codes a health server answers with.
var grpcCodes = map[string]string{
	"1": "CANCELLED", "2": "UNKNOWN", "4": "DEADLINE_EXCEEDED", "5": "NOT_FOUND", "7": "PERMISSION_DENIED",
	"8": "RESOURCE_EXHAUSTED", "12": "UNIMPLEMENTED", "13": "INTERNAL", "14": "UNAVAILABLE", "16": "UNAUTHENTICATED",
}

// grpc passes when the health service at addr answers SERVING for
// service ("" asks about the server as a whole).
func (c check) grpc(addr, service string) error {
	conn, err := c.dial(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	call := "grpc.health.v1.Health/Check"
	if service != "" {
		call += fmt.Sprintf(" of %q", service)
	}

	w := bufio.NewWriter(conn)
	w.WriteString(clientPreface)
	writeFrame(w, frameSettings, 0, 0, nil)
	var block []byte
	enc := hpack.NewEncoder(sliceWriter{&block})
	for _, f := range [][2]string{
		{":method", "POST"}, {":scheme", "http"}, {":path", healthCheckPath}, {":authority", addr},
		{"content-type", "application/grpc"}, {"te", "trailers"}, {"user-agent", "tandem-probe"},
	} {
		if err := enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]}); err != nil {
			return err
		}
	}
	writeFrame(w, frameHeaders, flagEndHeaders, 1, block)
	writeFrame(w, frameData, flagEndStream, 1, grpcMessage(healthCheckRequest(service)))
	if err := w.Flush(); err != nil {
		return fmt.Errorf("%s: %w", call, err)
	}

	resp, err := readResponse(bufio.NewReader(conn), w)
	if err != nil {
		return fmt.Errorf("%s: %w", call, err)
	}
	if s := resp.headers[":status"]; s != "200" {
		return fmt.Errorf("%s: HTTP status %s, not a gRPC server", call, s)
	}
	if code := resp.headers["grpc-status"]; code != "0" {
		if code == "" {
			return fmt.Errorf("%s: no grpc-status in the response", call)
		}
		msg, err := url.PathUnescape(resp.headers["grpc-message"])
		if err != nil {
			msg = resp.headers["grpc-message"]
		}
		name := grpcCodes[code]
		if name != "" {
			name = " " + name
		}
		return fmt.Errorf("%s: grpc-status %s%s: %s", call, code, name, msg)
	}
	status, err := healthCheckStatus(resp.body)
	if err != nil {
		return fmt.Errorf("%s: %w", call, err)
	}
	if status != 1 {
		name := servingStatus[status]
		if name == "" {
			name = strconv.FormatUint(status, 10)
		}
		return fmt.Errorf("%s: %s", call, name)
	}
	return nil
}

// sliceWriter appends to a byte slice, for the hpack encoder.
type sliceWriter struct{ b *[]byte }

func (s sliceWriter) Write(p []byte) (int, error) {
	*s.b = append(*s.b, p...)
	return len(p), nil
}

func writeFrame(w *bufio.Writer, typ, flags byte, stream uint32, payload []byte) {
	var h [9]byte
	h[0], h[1], h[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
	h[3], h[4] = typ, flags
	binary.BigEndian.PutUint32(h[5:], stream)
	w.Write(h[:])
	w.Write(payload)
}

// healthCheckRequest encodes HealthCheckRequest{string service = 1}.
func healthCheckRequest(service string) []byte {
	if service == "" {
		return nil
	}
	msg := []byte{1<<3 | 2}
	msg = binary.AppendUvarint(msg, uint64(len(service)))
	return append(msg, service...)
}

// grpcMessage frames one uncompressed message: a zero byte, then its
// length as four bytes.
func grpcMessage(msg []byte) []byte {
	out := make([]byte, 5, 5+len(msg))
	binary.BigEndian.PutUint32(out[1:], uint32(len(msg)))
	return append(out, msg...)
}

// response is stream 1's headers and trailers, merged, and its body.
type response struct {
	headers map[string]string
	body    []byte
}

// readResponse reads frames until stream 1 ends, answering the server's
// SETTINGS and PING as HTTP/2 requires.
func readResponse(r *bufio.Reader, w *bufio.Writer) (*response, error) {
	resp := &response{headers: map[string]string{}}
	dec := hpack.NewDecoder(4096, nil)
	// A header block may go on in CONTINUATION frames; nothing else may
	// come between them.
	var block []byte
	var inBlock, blockEnds bool
	for {
		var h [9]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, errors.New("the connection closed before the answer (is it an h2c gRPC server?)")
			}
			return nil, err
		}
		length := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
		typ, flags := h[3], h[4]
		stream := binary.BigEndian.Uint32(h[5:]) & 0x7fffffff
		if length > maxFrame {
			return nil, fmt.Errorf("a frame of %d bytes, over HTTP/2's %d (is it an h2c gRPC server?)", length, maxFrame)
		}
		payload := make([]byte, length)
		if _, err := io.ReadFull(r, payload); err != nil {
			return nil, err
		}
		if inBlock && typ != frameContinuation {
			return nil, errors.New("a header block was interrupted")
		}
		switch typ {
		case frameSettings:
			if flags&flagAck == 0 {
				writeFrame(w, frameSettings, flagAck, 0, nil)
				if err := w.Flush(); err != nil {
					return nil, err
				}
			}
		case framePing:
			if flags&flagAck == 0 {
				writeFrame(w, framePing, flagAck, 0, payload)
				if err := w.Flush(); err != nil {
					return nil, err
				}
			}
		case frameGoAway:
			if len(payload) >= 8 {
				last, code := binary.BigEndian.Uint32(payload)&0x7fffffff, binary.BigEndian.Uint32(payload[4:])
				if last < 1 || code != 0 {
					return nil, fmt.Errorf("the server went away (HTTP/2 error code %d): %s", code, payload[8:])
				}
			}
		case frameRSTStream:
			if stream == 1 && len(payload) >= 4 {
				return nil, fmt.Errorf("the server reset the call (HTTP/2 error code %d)", binary.BigEndian.Uint32(payload))
			}
		case frameHeaders, frameContinuation:
			if stream != 1 {
				continue
			}
			if typ == frameContinuation && !inBlock {
				return nil, errors.New("a CONTINUATION frame without HEADERS")
			}
			if typ == frameHeaders {
				var err error
				if payload, err = unpad(payload, flags); err != nil {
					return nil, err
				}
				if flags&flagPriority != 0 {
					if len(payload) < 5 {
						return nil, errors.New("a malformed HEADERS frame")
					}
					payload = payload[5:]
				}
				blockEnds = flags&flagEndStream != 0
			}
			block = append(block, payload...)
			if inBlock = flags&flagEndHeaders == 0; inBlock {
				continue
			}
			fields, err := dec.DecodeFull(block)
			if err != nil {
				return nil, fmt.Errorf("decoding headers: %w", err)
			}
			block = nil
			for _, f := range fields {
				resp.headers[f.Name] = f.Value
			}
			if blockEnds {
				return resp, nil
			}
		case frameData:
			if stream != 1 {
				continue
			}
			data, err := unpad(payload, flags)
			if err != nil {
				return nil, err
			}
			resp.body = append(resp.body, data...)
			if flags&flagEndStream != 0 {
				return resp, nil
			}
		}
	}
}

// unpad strips the padding of a DATA or HEADERS frame.
func unpad(payload []byte, flags byte) ([]byte, error) {
	if flags&flagPadded == 0 {
		return payload, nil
	}
	if len(payload) < 1 || int(payload[0]) > len(payload)-1 {
		return nil, errors.New("a malformed padded frame")
	}
	return payload[1 : len(payload)-int(payload[0])], nil
}

// healthCheckStatus decodes the status of the one HealthCheckResponse in
// body, a gRPC length-prefixed message.
func healthCheckStatus(body []byte) (uint64, error) {
	if len(body) < 5 {
		return 0, fmt.Errorf("no response message (%d bytes)", len(body))
	}
	if body[0] != 0 {
		return 0, errors.New("a compressed response, which the probe never asked for")
	}
	n := binary.BigEndian.Uint32(body[1:5])
	msg := body[5:]
	if uint32(len(msg)) != n {
		return 0, fmt.Errorf("a response message of %d bytes announced as %d", len(msg), n)
	}
	// Protocol buffers leave out a field at its zero value: an empty
	// message is status UNKNOWN.
	var status uint64
	for len(msg) > 0 {
		tag, k := binary.Uvarint(msg)
		if k <= 0 {
			return 0, errors.New("a malformed response message")
		}
		msg = msg[k:]
		var skip int
		switch tag & 7 {
		case 0:
			v, k := binary.Uvarint(msg)
			if k <= 0 {
				return 0, errors.New("a malformed response message")
			}
			if tag>>3 == 1 {
				status = v
			}
			skip = k
		case 1:
			skip = 8
		case 2:
			l, k := binary.Uvarint(msg)
			if k <= 0 || l > uint64(len(msg)-k) {
				return 0, errors.New("a malformed response message")
			}
			skip = k + int(l)
		case 5:
			skip = 4
		default:
			return 0, errors.New("a malformed response message")
		}
		if skip > len(msg) {
			return 0, errors.New("a malformed response message")
		}
		msg = msg[skip:]
	}
	return status, nil
}
