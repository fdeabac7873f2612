//go:build !purego

#include "textflag.h"

// func pairIndex(s []byte, c0, c1 byte, k int) (pos int, mask uint32)
TEXT ·pairIndex(SB), NOSPLIT, $0-52
	MOVQ    s_base+0(FP), SI
	MOVQ    s_len+8(FP), BX
	MOVBLZX c0+24(FP), AX
	MOVBLZX c1+25(FP), CX
	MOVQ    k+32(FP), DX

	// X0 = c0 in every byte, X1 = c1 in every byte.
	MOVQ      AX, X0
	PUNPCKLBW X0, X0
	PUNPCKLBW X0, X0
	PSHUFL    $0, X0, X0
	MOVQ      CX, X1
	PUNPCKLBW X1, X1
	PUNPCKLBW X1, X1
	PSHUFL    $0, X1, X1

	// R8 = the last block start: len - k - 16.
	MOVQ BX, R8
	SUBQ DX, R8
	SUBQ $16, R8
	JLT  none
	LEAQ (SI)(DX*1), R9 // the bytes k further
	XORQ DI, DI

loop:
	MOVOU    (SI)(DI*1), X2
	MOVOU    (R9)(DI*1), X3
	PCMPEQB  X0, X2
	PCMPEQB  X1, X3
	PAND     X3, X2
	PMOVMSKB X2, AX
	TESTL    AX, AX
	JNZ      found
	ADDQ     $16, DI
	CMPQ     DI, R8
	JLE      loop

none:
	MOVQ $-1, pos+40(FP)
	MOVL $0, mask+48(FP)
	RET

found:
	MOVQ DI, pos+40(FP)
	MOVL AX, mask+48(FP)
	RET
