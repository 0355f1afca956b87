;; The 1:N matching kernel: one probe against every packed template row in one pass.
;; Rows are int8 (per-row scale kept outside), the probe int16, so every sum is an exact int32:
;; |row| <= 127 and |probe| <= 16383 keep 512 terms under 2^31. A row is 16-byte aligned and
;; `dim` a multiple of 32 (template-matrix.ts pads with zeros).
;; Compiled by wabt into match-kernel-wasm.ts; test/unit/math/match-kernel.test.ts checks that the
;; committed bytes are this text's.
(module
  (memory (export "memory") 1)

  ;; out[r] = sum_j rows[r * dim + j] * probe[j] for r < count.
  (func (export "dotsI8")
    (param $rows i32) (param $count i32) (param $dim i32) (param $probe i32) (param $out i32)
    (local $end i32) (local $rowEnd i32) (local $p i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $v v128) (local $w v128)
    (local.set $end (i32.add (local.get $rows) (i32.mul (local.get $count) (local.get $dim))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $rows) (local.get $end)))
        (local.set $rowEnd (i32.add (local.get $rows) (local.get $dim)))
        (local.set $p (local.get $probe))
        (local.set $a0 (v128.const i64x2 0 0))
        (local.set $a1 (v128.const i64x2 0 0))
        (local.set $a2 (v128.const i64x2 0 0))
        (local.set $a3 (v128.const i64x2 0 0))
        (loop $col
          (local.set $v (v128.load (local.get $rows)))
          (local.set $w (v128.load offset=16 (local.get $rows)))
          (local.set $a0 (i32x4.add (local.get $a0)
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load (local.get $p)))))
          (local.set $a1 (i32x4.add (local.get $a1)
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 (local.get $p)))))
          (local.set $a2 (i32x4.add (local.get $a2)
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $w)) (v128.load offset=32 (local.get $p)))))
          (local.set $a3 (i32x4.add (local.get $a3)
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $w)) (v128.load offset=48 (local.get $p)))))
          (local.set $rows (i32.add (local.get $rows) (i32.const 32)))
          (local.set $p (i32.add (local.get $p) (i32.const 64)))
          (br_if $col (i32.lt_u (local.get $rows) (local.get $rowEnd))))
        (local.set $a0 (i32x4.add (i32x4.add (local.get $a0) (local.get $a1))
                                  (i32x4.add (local.get $a2) (local.get $a3))))
        (i32.store (local.get $out)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
            (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $row))))
)
