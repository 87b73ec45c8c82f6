;; The hot loops of @receptive/core as WebAssembly with 128-bit SIMD (f32x4): matrix products
;; in the three layouts that convolutions and linear layers need, the im2col / col2im copies
;; that turn a convolution into one, a direct stride-1 convolution, 2x2 max pooling (with ReLU
;; fused for the compiled forward pass) and its backward, and ReLU with its backward. scripts/build-wasm.ts compiles this file with wabt's
;; wat2wasm into kernels-wasm.ts (test/simd.test.ts checks that the bytes there match it).
;;
;; All pointers are byte offsets into the exported memory, all counts and strides are in floats.
;; Sums are accumulated into the output (C +=): the caller fills C with zeros or the bias first.
;; The order of the additions differs from the scalar loops, so results agree to float rounding.
(module
  (memory (export "memory") 1)

  ;; C[i, j] += sum_p A[i*sam + p*sak] * B[p*ldb + j], for i < m, j < n, p < k.
  ;; A is read through two strides, so one kernel covers A (sam = k, sak = 1) and A transposed
  ;; (sam = 1, sak = m). Four rows of C by eight columns are held in eight f32x4 accumulators
  ;; while p runs: each step loads two vectors of B's row p and one value of A per row of C.
  (func (export "gemm_acc")
    (param $m i32) (param $n i32) (param $k i32)
    (param $a i32) (param $sam i32) (param $sak i32)
    (param $b i32) (param $ldb i32)
    (param $c i32) (param $ldc i32)
    (local $i i32) (local $j i32) (local $p i32)
    (local $arow i32) (local $crow i32) (local $pa i32) (local $pb i32) (local $pc i32)
    (local $sam2 i32) (local $sam3 i32) (local $ldc2 i32) (local $ldc3 i32)
    (local $x00 v128) (local $x01 v128) (local $x10 v128) (local $x11 v128)
    (local $x20 v128) (local $x21 v128) (local $x30 v128) (local $x31 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local $f0 f32) (local $f1 f32) (local $f2 f32) (local $f3 f32) (local $bv f32)
    ;; strides in bytes
    (local.set $sam (i32.shl (local.get $sam) (i32.const 2)))
    (local.set $sak (i32.shl (local.get $sak) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $sam2 (i32.shl (local.get $sam) (i32.const 1)))
    (local.set $sam3 (i32.add (local.get $sam2) (local.get $sam)))
    (local.set $ldc2 (i32.shl (local.get $ldc) (i32.const 1)))
    (local.set $ldc3 (i32.add (local.get $ldc2) (local.get $ldc)))

    ;; Rows of C four at a time.
    (local.set $i (i32.const 0))
    (block $rows4_done
      (loop $rows4
        (br_if $rows4_done (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
        (local.set $arow (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sam))))
        (local.set $crow (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))))
        (local.set $j (i32.const 0))
        ;; eight columns: 4 x 8 block
        (block $j8_done
          (loop $j8
            (br_if $j8_done (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
            (local.set $pc (i32.add (local.get $crow) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $x00 (v128.load (local.get $pc)))
            (local.set $x01 (v128.load offset=16 (local.get $pc)))
            (local.set $x10 (v128.load (i32.add (local.get $pc) (local.get $ldc))))
            (local.set $x11 (v128.load offset=16 (i32.add (local.get $pc) (local.get $ldc))))
            (local.set $x20 (v128.load (i32.add (local.get $pc) (local.get $ldc2))))
            (local.set $x21 (v128.load offset=16 (i32.add (local.get $pc) (local.get $ldc2))))
            (local.set $x30 (v128.load (i32.add (local.get $pc) (local.get $ldc3))))
            (local.set $x31 (v128.load offset=16 (i32.add (local.get $pc) (local.get $ldc3))))
            (local.set $pa (local.get $arow))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $p (local.get $k))
            (block $k_done
              (loop $kl
                (br_if $k_done (i32.eqz (local.get $p)))
                (local.set $b0 (v128.load (local.get $pb)))
                (local.set $b1 (v128.load offset=16 (local.get $pb)))
                (local.set $s (v128.load32_splat (local.get $pa)))
                (local.set $x00 (f32x4.add (local.get $x00) (f32x4.mul (local.get $s) (local.get $b0))))
                (local.set $x01 (f32x4.add (local.get $x01) (f32x4.mul (local.get $s) (local.get $b1))))
                (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $sam))))
                (local.set $x10 (f32x4.add (local.get $x10) (f32x4.mul (local.get $s) (local.get $b0))))
                (local.set $x11 (f32x4.add (local.get $x11) (f32x4.mul (local.get $s) (local.get $b1))))
                (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $sam2))))
                (local.set $x20 (f32x4.add (local.get $x20) (f32x4.mul (local.get $s) (local.get $b0))))
                (local.set $x21 (f32x4.add (local.get $x21) (f32x4.mul (local.get $s) (local.get $b1))))
                (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $sam3))))
                (local.set $x30 (f32x4.add (local.get $x30) (f32x4.mul (local.get $s) (local.get $b0))))
                (local.set $x31 (f32x4.add (local.get $x31) (f32x4.mul (local.get $s) (local.get $b1))))
                (local.set $pa (i32.add (local.get $pa) (local.get $sak)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $kl)))
            (v128.store (local.get $pc) (local.get $x00))
            (v128.store offset=16 (local.get $pc) (local.get $x01))
            (v128.store (i32.add (local.get $pc) (local.get $ldc)) (local.get $x10))
            (v128.store offset=16 (i32.add (local.get $pc) (local.get $ldc)) (local.get $x11))
            (v128.store (i32.add (local.get $pc) (local.get $ldc2)) (local.get $x20))
            (v128.store offset=16 (i32.add (local.get $pc) (local.get $ldc2)) (local.get $x21))
            (v128.store (i32.add (local.get $pc) (local.get $ldc3)) (local.get $x30))
            (v128.store offset=16 (i32.add (local.get $pc) (local.get $ldc3)) (local.get $x31))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $j8)))
        ;; four columns: 4 x 4 block
        (block $j4_done
          (loop $j4
            (br_if $j4_done (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
            (local.set $pc (i32.add (local.get $crow) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $x00 (v128.load (local.get $pc)))
            (local.set $x10 (v128.load (i32.add (local.get $pc) (local.get $ldc))))
            (local.set $x20 (v128.load (i32.add (local.get $pc) (local.get $ldc2))))
            (local.set $x30 (v128.load (i32.add (local.get $pc) (local.get $ldc3))))
            (local.set $pa (local.get $arow))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $p (local.get $k))
            (block $k_done
              (loop $kl
                (br_if $k_done (i32.eqz (local.get $p)))
                (local.set $b0 (v128.load (local.get $pb)))
                (local.set $x00 (f32x4.add (local.get $x00)
                  (f32x4.mul (v128.load32_splat (local.get $pa)) (local.get $b0))))
                (local.set $x10 (f32x4.add (local.get $x10)
                  (f32x4.mul (v128.load32_splat (i32.add (local.get $pa) (local.get $sam))) (local.get $b0))))
                (local.set $x20 (f32x4.add (local.get $x20)
                  (f32x4.mul (v128.load32_splat (i32.add (local.get $pa) (local.get $sam2))) (local.get $b0))))
                (local.set $x30 (f32x4.add (local.get $x30)
                  (f32x4.mul (v128.load32_splat (i32.add (local.get $pa) (local.get $sam3))) (local.get $b0))))
                (local.set $pa (i32.add (local.get $pa) (local.get $sak)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $kl)))
            (v128.store (local.get $pc) (local.get $x00))
            (v128.store (i32.add (local.get $pc) (local.get $ldc)) (local.get $x10))
            (v128.store (i32.add (local.get $pc) (local.get $ldc2)) (local.get $x20))
            (v128.store (i32.add (local.get $pc) (local.get $ldc3)) (local.get $x30))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $j4)))
        ;; the last n % 4 columns, one at a time
        (block $j1_done
          (loop $j1
            (br_if $j1_done (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $pc (i32.add (local.get $crow) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $f0 (f32.load (local.get $pc)))
            (local.set $f1 (f32.load (i32.add (local.get $pc) (local.get $ldc))))
            (local.set $f2 (f32.load (i32.add (local.get $pc) (local.get $ldc2))))
            (local.set $f3 (f32.load (i32.add (local.get $pc) (local.get $ldc3))))
            (local.set $pa (local.get $arow))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $p (local.get $k))
            (block $k_done
              (loop $kl
                (br_if $k_done (i32.eqz (local.get $p)))
                (local.set $bv (f32.load (local.get $pb)))
                (local.set $f0 (f32.add (local.get $f0)
                  (f32.mul (f32.load (local.get $pa)) (local.get $bv))))
                (local.set $f1 (f32.add (local.get $f1)
                  (f32.mul (f32.load (i32.add (local.get $pa) (local.get $sam))) (local.get $bv))))
                (local.set $f2 (f32.add (local.get $f2)
                  (f32.mul (f32.load (i32.add (local.get $pa) (local.get $sam2))) (local.get $bv))))
                (local.set $f3 (f32.add (local.get $f3)
                  (f32.mul (f32.load (i32.add (local.get $pa) (local.get $sam3))) (local.get $bv))))
                (local.set $pa (i32.add (local.get $pa) (local.get $sak)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $kl)))
            (f32.store (local.get $pc) (local.get $f0))
            (f32.store (i32.add (local.get $pc) (local.get $ldc)) (local.get $f1))
            (f32.store (i32.add (local.get $pc) (local.get $ldc2)) (local.get $f2))
            (f32.store (i32.add (local.get $pc) (local.get $ldc3)) (local.get $f3))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $j1)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows4)))

    ;; The last m % 4 rows, one at a time: four columns per vector, then single columns.
    (block $rows1_done
      (loop $rows1
        (br_if $rows1_done (i32.ge_s (local.get $i) (local.get $m)))
        (local.set $arow (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sam))))
        (local.set $crow (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))))
        (local.set $j (i32.const 0))
        (block $j4_done
          (loop $j4
            (br_if $j4_done (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
            (local.set $pc (i32.add (local.get $crow) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $x00 (v128.load (local.get $pc)))
            (local.set $pa (local.get $arow))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $p (local.get $k))
            (block $k_done
              (loop $kl
                (br_if $k_done (i32.eqz (local.get $p)))
                (local.set $x00 (f32x4.add (local.get $x00)
                  (f32x4.mul (v128.load32_splat (local.get $pa)) (v128.load (local.get $pb)))))
                (local.set $pa (i32.add (local.get $pa) (local.get $sak)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $kl)))
            (v128.store (local.get $pc) (local.get $x00))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $j4)))
        (block $j1_done
          (loop $j1
            (br_if $j1_done (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $pc (i32.add (local.get $crow) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $f0 (f32.load (local.get $pc)))
            (local.set $pa (local.get $arow))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $p (local.get $k))
            (block $k_done
              (loop $kl
                (br_if $k_done (i32.eqz (local.get $p)))
                (local.set $f0 (f32.add (local.get $f0)
                  (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
                (local.set $pa (i32.add (local.get $pa) (local.get $sak)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $kl)))
            (f32.store (local.get $pc) (local.get $f0))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $j1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows1))))

  ;; The sum of the four lanes of v.
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; C[i*ldc + j] += sum_p A[i*lda + p] * B[j*ldb + p], for i < m, j < n, p < k: both operands
  ;; run along p, so the vectors run along p too, four rows of B per pass over a row of A, and
  ;; each sum is folded from four lanes at the end (the last k % 4 terms one at a time).
  (func (export "gemm_dot")
    (param $m i32) (param $n i32) (param $k i32)
    (param $a i32) (param $lda i32)
    (param $b i32) (param $ldb i32)
    (param $c i32) (param $ldc i32)
    (local $i i32) (local $j i32) (local $q i32) (local $k4 i32) (local $kb i32)
    (local $arow i32) (local $pc i32) (local $d i32) (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $b4 i32) (local $b5 i32) (local $b6 i32) (local $b7 i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $va v128)
    (local $x4 v128) (local $x5 v128) (local $x6 v128) (local $x7 v128)
    (local $f0 f32) (local $f1 f32) (local $f2 f32) (local $f3 f32) (local $av f32)
    (local.set $lda (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    ;; bytes of the whole vectors along p, and of all of p
    (local.set $k4 (i32.shl (i32.and (local.get $k) (i32.const -4)) (i32.const 2)))
    (local.set $kb (i32.shl (local.get $k) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $i) (local.get $m)))
        (local.set $arow (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))
        (local.set $pc (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))))
        (local.set $j (i32.const 0))
        ;; eight rows of B per pass: eight independent sums hide the latency of the adds
        (block $j8_done
          (loop $j8
            (br_if $j8_done (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
            (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $ldb))))
            (local.set $b1 (i32.add (local.get $b0) (local.get $ldb)))
            (local.set $b2 (i32.add (local.get $b1) (local.get $ldb)))
            (local.set $b3 (i32.add (local.get $b2) (local.get $ldb)))
            (local.set $b4 (i32.add (local.get $b3) (local.get $ldb)))
            (local.set $b5 (i32.add (local.get $b4) (local.get $ldb)))
            (local.set $b6 (i32.add (local.get $b5) (local.get $ldb)))
            (local.set $b7 (i32.add (local.get $b6) (local.get $ldb)))
            (local.set $x0 (v128.const i32x4 0 0 0 0))
            (local.set $x1 (v128.const i32x4 0 0 0 0))
            (local.set $x2 (v128.const i32x4 0 0 0 0))
            (local.set $x3 (v128.const i32x4 0 0 0 0))
            (local.set $x4 (v128.const i32x4 0 0 0 0))
            (local.set $x5 (v128.const i32x4 0 0 0 0))
            (local.set $x6 (v128.const i32x4 0 0 0 0))
            (local.set $x7 (v128.const i32x4 0 0 0 0))
            (local.set $q (i32.const 0))
            (block $p_done
              (loop $pl
                (br_if $p_done (i32.ge_s (local.get $q) (local.get $k4)))
                (local.set $va (v128.load (i32.add (local.get $arow) (local.get $q))))
                (local.set $x0 (f32x4.add (local.get $x0) (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $b0) (local.get $q))))))
                (local.set $x1 (f32x4.add (local.get $x1) (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $b1) (local.get $q))))))
                (local.set $x2 (f32x4.add (local.get $x2) (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $b2) (local.get $q))))))
                (local.set $x3 (f32x4.add (local.get $x3) (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $b3) (local.get $q))))))
                (local.set $x4 (f32x4.add (local.get $x4) (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $b4) (local.get $q))))))
                (local.set $x5 (f32x4.add (local.get $x5) (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $b5) (local.get $q))))))
                (local.set $x6 (f32x4.add (local.get $x6) (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $b6) (local.get $q))))))
                (local.set $x7 (f32x4.add (local.get $x7) (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $b7) (local.get $q))))))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (br $pl)))
            ;; the sums of the vectors, then the last k % 4 terms, into C[i, j .. j + 8]
            (local.set $d (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))))
            (f32.store offset=0 (local.get $d) (f32.add (f32.load offset=0 (local.get $d)) (call $hsum (local.get $x0))))
            (f32.store offset=4 (local.get $d) (f32.add (f32.load offset=4 (local.get $d)) (call $hsum (local.get $x1))))
            (f32.store offset=8 (local.get $d) (f32.add (f32.load offset=8 (local.get $d)) (call $hsum (local.get $x2))))
            (f32.store offset=12 (local.get $d) (f32.add (f32.load offset=12 (local.get $d)) (call $hsum (local.get $x3))))
            (f32.store offset=16 (local.get $d) (f32.add (f32.load offset=16 (local.get $d)) (call $hsum (local.get $x4))))
            (f32.store offset=20 (local.get $d) (f32.add (f32.load offset=20 (local.get $d)) (call $hsum (local.get $x5))))
            (f32.store offset=24 (local.get $d) (f32.add (f32.load offset=24 (local.get $d)) (call $hsum (local.get $x6))))
            (f32.store offset=28 (local.get $d) (f32.add (f32.load offset=28 (local.get $d)) (call $hsum (local.get $x7))))
            (block $t_done
              (loop $tl
                (br_if $t_done (i32.ge_s (local.get $q) (local.get $kb)))
                (local.set $av (f32.load (i32.add (local.get $arow) (local.get $q))))
                (f32.store offset=0 (local.get $d) (f32.add (f32.load offset=0 (local.get $d))
                  (f32.mul (local.get $av) (f32.load (i32.add (local.get $b0) (local.get $q))))))
                (f32.store offset=4 (local.get $d) (f32.add (f32.load offset=4 (local.get $d))
                  (f32.mul (local.get $av) (f32.load (i32.add (local.get $b1) (local.get $q))))))
                (f32.store offset=8 (local.get $d) (f32.add (f32.load offset=8 (local.get $d))
                  (f32.mul (local.get $av) (f32.load (i32.add (local.get $b2) (local.get $q))))))
                (f32.store offset=12 (local.get $d) (f32.add (f32.load offset=12 (local.get $d))
                  (f32.mul (local.get $av) (f32.load (i32.add (local.get $b3) (local.get $q))))))
                (f32.store offset=16 (local.get $d) (f32.add (f32.load offset=16 (local.get $d))
                  (f32.mul (local.get $av) (f32.load (i32.add (local.get $b4) (local.get $q))))))
                (f32.store offset=20 (local.get $d) (f32.add (f32.load offset=20 (local.get $d))
                  (f32.mul (local.get $av) (f32.load (i32.add (local.get $b5) (local.get $q))))))
                (f32.store offset=24 (local.get $d) (f32.add (f32.load offset=24 (local.get $d))
                  (f32.mul (local.get $av) (f32.load (i32.add (local.get $b6) (local.get $q))))))
                (f32.store offset=28 (local.get $d) (f32.add (f32.load offset=28 (local.get $d))
                  (f32.mul (local.get $av) (f32.load (i32.add (local.get $b7) (local.get $q))))))
                (local.set $q (i32.add (local.get $q) (i32.const 4)))
                (br $tl)))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $j8)))
        (block $j4_done
          (loop $j4
            (br_if $j4_done (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
            (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $ldb))))
            (local.set $b1 (i32.add (local.get $b0) (local.get $ldb)))
            (local.set $b2 (i32.add (local.get $b1) (local.get $ldb)))
            (local.set $b3 (i32.add (local.get $b2) (local.get $ldb)))
            (local.set $x0 (v128.const i32x4 0 0 0 0))
            (local.set $x1 (v128.const i32x4 0 0 0 0))
            (local.set $x2 (v128.const i32x4 0 0 0 0))
            (local.set $x3 (v128.const i32x4 0 0 0 0))
            (local.set $q (i32.const 0))
            (block $p_done
              (loop $pl
                (br_if $p_done (i32.ge_s (local.get $q) (local.get $k4)))
                (local.set $va (v128.load (i32.add (local.get $arow) (local.get $q))))
                (local.set $x0 (f32x4.add (local.get $x0)
                  (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $b0) (local.get $q))))))
                (local.set $x1 (f32x4.add (local.get $x1)
                  (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $b1) (local.get $q))))))
                (local.set $x2 (f32x4.add (local.get $x2)
                  (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $b2) (local.get $q))))))
                (local.set $x3 (f32x4.add (local.get $x3)
                  (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $b3) (local.get $q))))))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (br $pl)))
            (local.set $f0 (call $hsum (local.get $x0)))
            (local.set $f1 (call $hsum (local.get $x1)))
            (local.set $f2 (call $hsum (local.get $x2)))
            (local.set $f3 (call $hsum (local.get $x3)))
            (block $t_done
              (loop $tl
                (br_if $t_done (i32.ge_s (local.get $q) (local.get $kb)))
                (local.set $av (f32.load (i32.add (local.get $arow) (local.get $q))))
                (local.set $f0 (f32.add (local.get $f0)
                  (f32.mul (local.get $av) (f32.load (i32.add (local.get $b0) (local.get $q))))))
                (local.set $f1 (f32.add (local.get $f1)
                  (f32.mul (local.get $av) (f32.load (i32.add (local.get $b1) (local.get $q))))))
                (local.set $f2 (f32.add (local.get $f2)
                  (f32.mul (local.get $av) (f32.load (i32.add (local.get $b2) (local.get $q))))))
                (local.set $f3 (f32.add (local.get $f3)
                  (f32.mul (local.get $av) (f32.load (i32.add (local.get $b3) (local.get $q))))))
                (local.set $q (i32.add (local.get $q) (i32.const 4)))
                (br $tl)))
            (local.set $b0 (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))))
            (f32.store (local.get $b0) (f32.add (f32.load (local.get $b0)) (local.get $f0)))
            (f32.store offset=4 (local.get $b0) (f32.add (f32.load offset=4 (local.get $b0)) (local.get $f1)))
            (f32.store offset=8 (local.get $b0) (f32.add (f32.load offset=8 (local.get $b0)) (local.get $f2)))
            (f32.store offset=12 (local.get $b0) (f32.add (f32.load offset=12 (local.get $b0)) (local.get $f3)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $j4)))
        (block $j1_done
          (loop $j1
            (br_if $j1_done (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $ldb))))
            (local.set $x0 (v128.const i32x4 0 0 0 0))
            (local.set $q (i32.const 0))
            (block $p_done
              (loop $pl
                (br_if $p_done (i32.ge_s (local.get $q) (local.get $k4)))
                (local.set $x0 (f32x4.add (local.get $x0)
                  (f32x4.mul (v128.load (i32.add (local.get $arow) (local.get $q)))
                    (v128.load (i32.add (local.get $b0) (local.get $q))))))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (br $pl)))
            (local.set $f0 (call $hsum (local.get $x0)))
            (block $t_done
              (loop $tl
                (br_if $t_done (i32.ge_s (local.get $q) (local.get $kb)))
                (local.set $f0 (f32.add (local.get $f0)
                  (f32.mul (f32.load (i32.add (local.get $arow) (local.get $q)))
                    (f32.load (i32.add (local.get $b0) (local.get $q))))))
                (local.set $q (i32.add (local.get $q) (i32.const 4)))
                (br $tl)))
            (local.set $b0 (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))))
            (f32.store (local.get $b0) (f32.add (f32.load (local.get $b0)) (local.get $f0)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $j1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; out[j] += sum_q xs[q] . B[j*ldb + idx[q]/4 .. +4], for j < n, q < nq: one row of a linear
  ;; layer's input given as its nonzero four-float chunks only (xs: nq packed vectors; idx: the
  ;; byte offset of each chunk within a row), so the zero background of a digit costs nothing.
  (func (export "dot_chunks")
    (param $nq i32) (param $xs i32) (param $idx i32)
    (param $n i32) (param $b i32) (param $ldb i32) (param $out i32)
    (local $j i32) (local $q i32) (local $qb i32) (local $off i32) (local $po i32)
    (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $v v128)
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $qb (i32.shl (local.get $nq) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $j4_done
      (loop $j4
        (br_if $j4_done (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $ldb))))
        (local.set $b1 (i32.add (local.get $b0) (local.get $ldb)))
        (local.set $b2 (i32.add (local.get $b1) (local.get $ldb)))
        (local.set $b3 (i32.add (local.get $b2) (local.get $ldb)))
        (local.set $x0 (v128.const i32x4 0 0 0 0))
        (local.set $x1 (v128.const i32x4 0 0 0 0))
        (local.set $x2 (v128.const i32x4 0 0 0 0))
        (local.set $x3 (v128.const i32x4 0 0 0 0))
        (local.set $q (i32.const 0))
        (block $q_done
          (loop $ql
            (br_if $q_done (i32.ge_s (local.get $q) (local.get $qb)))
            (local.set $off (i32.load (i32.add (local.get $idx) (local.get $q))))
            (local.set $v (v128.load (i32.add (local.get $xs) (i32.shl (local.get $q) (i32.const 2)))))
            (local.set $x0 (f32x4.add (local.get $x0)
              (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $b0) (local.get $off))))))
            (local.set $x1 (f32x4.add (local.get $x1)
              (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $b1) (local.get $off))))))
            (local.set $x2 (f32x4.add (local.get $x2)
              (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $b2) (local.get $off))))))
            (local.set $x3 (f32x4.add (local.get $x3)
              (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $b3) (local.get $off))))))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $ql)))
        (local.set $po (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))))
        (f32.store (local.get $po) (f32.add (f32.load (local.get $po)) (call $hsum (local.get $x0))))
        (f32.store offset=4 (local.get $po)
          (f32.add (f32.load offset=4 (local.get $po)) (call $hsum (local.get $x1))))
        (f32.store offset=8 (local.get $po)
          (f32.add (f32.load offset=8 (local.get $po)) (call $hsum (local.get $x2))))
        (f32.store offset=12 (local.get $po)
          (f32.add (f32.load offset=12 (local.get $po)) (call $hsum (local.get $x3))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $j4)))
    (block $j1_done
      (loop $j1
        (br_if $j1_done (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $ldb))))
        (local.set $x0 (v128.const i32x4 0 0 0 0))
        (local.set $q (i32.const 0))
        (block $q_done
          (loop $ql
            (br_if $q_done (i32.ge_s (local.get $q) (local.get $qb)))
            (local.set $off (i32.load (i32.add (local.get $idx) (local.get $q))))
            (local.set $x0 (f32x4.add (local.get $x0)
              (f32x4.mul (v128.load (i32.add (local.get $xs) (i32.shl (local.get $q) (i32.const 2))))
                (v128.load (i32.add (local.get $b0) (local.get $off))))))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $ql)))
        (local.set $po (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))))
        (f32.store (local.get $po) (f32.add (f32.load (local.get $po)) (call $hsum (local.get $x0))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $j1))))

  ;; A stride-1 convolution without im2col, for kernels of any size:
  ;;   out[k, oy, ox] = bias[k] + sum_{ci, i, j} w[k, ci, i, j] * xp[ci, oy + i, ox + j]
  ;; for k < k4, oy < oh, ox < owc, written in rows of ows floats. xp [c, hp, wp] is the input
  ;; already zero-padded, with wp >= owc + kw - 1; owc (a multiple of 4) and k4 (a multiple of 4)
  ;; round the output up so that no loop has a scalar tail: the caller pads the input, the
  ;; weights and the bias with zeros and keeps only the first ow columns and k kernels. w4 holds
  ;; the weights four kernels at a time, [k4 / 4, c, kh, kw, 4], so the loop over the taps reads
  ;; it front to back. Eight outputs of four kernels (eight f32x4 accumulators) share each pair
  ;; of input vectors; a last group of four outputs, if any, runs with four accumulators.
  (func (export "conv_s1")
    (param $xp i32) (param $c i32) (param $hp i32) (param $wp i32)
    (param $k4 i32) (param $kh i32) (param $kw i32) (param $oh i32) (param $owc i32) (param $ows i32)
    (param $w4 i32) (param $bias i32) (param $out i32)
    (local $kb i32) (local $oy i32) (local $ox i32) (local $ci i32) (local $i i32) (local $j i32)
    (local $pw i32) (local $px i32) (local $row i32) (local $plane i32) (local $po i32)
    (local $wblock i32) (local $oplane i32) (local $pb i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128)
    (local $c0 v128) (local $c1 v128) (local $d0 v128) (local $d1 v128)
    (local $v0 v128) (local $v1 v128) (local $s v128)
    (local.set $wp (i32.shl (local.get $wp) (i32.const 2)))
    (local.set $plane (i32.mul (local.get $hp) (local.get $wp)))
    (local.set $oplane (i32.shl (i32.mul (local.get $oh) (local.get $ows)) (i32.const 2)))
    (local.set $kb (i32.const 0))
    (loop $lk
      (local.set $wblock (i32.add (local.get $w4)
        (i32.shl (i32.mul (i32.mul (i32.mul (local.get $kb) (local.get $c)) (local.get $kh))
          (local.get $kw)) (i32.const 2))))
      (local.set $pb (i32.add (local.get $bias) (i32.shl (local.get $kb) (i32.const 2))))
      (local.set $oy (i32.const 0))
      (loop $ly
        (local.set $ox (i32.const 0))
        ;; eight outputs at a time
        (block $x8_done
          (loop $lx
          (br_if $x8_done (i32.gt_s (i32.add (local.get $ox) (i32.const 8)) (local.get $owc)))
          (local.set $a0 (v128.load32_splat (local.get $pb)))
          (local.set $a1 (local.get $a0))
          (local.set $b0 (v128.load32_splat offset=4 (local.get $pb)))
          (local.set $b1 (local.get $b0))
          (local.set $c0 (v128.load32_splat offset=8 (local.get $pb)))
          (local.set $c1 (local.get $c0))
          (local.set $d0 (v128.load32_splat offset=12 (local.get $pb)))
          (local.set $d1 (local.get $d0))
          (local.set $pw (local.get $wblock))
          (local.set $ci (i32.const 0))
          (loop $lc
            (local.set $row (i32.add (i32.add (local.get $xp) (i32.mul (local.get $ci) (local.get $plane)))
              (i32.add (i32.mul (local.get $oy) (local.get $wp)) (i32.shl (local.get $ox) (i32.const 2)))))
            (local.set $i (i32.const 0))
            (loop $li
              (local.set $px (local.get $row))
              (local.set $j (i32.const 0))
              (loop $lj
                (local.set $v0 (v128.load (local.get $px)))
                (local.set $v1 (v128.load offset=16 (local.get $px)))
                (local.set $s (v128.load32_splat (local.get $pw)))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (local.get $v0))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (local.get $v1))))
                (local.set $s (v128.load32_splat offset=4 (local.get $pw)))
                (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $s) (local.get $v0))))
                (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $s) (local.get $v1))))
                (local.set $s (v128.load32_splat offset=8 (local.get $pw)))
                (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $s) (local.get $v0))))
                (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $s) (local.get $v1))))
                (local.set $s (v128.load32_splat offset=12 (local.get $pw)))
                (local.set $d0 (f32x4.add (local.get $d0) (f32x4.mul (local.get $s) (local.get $v0))))
                (local.set $d1 (f32x4.add (local.get $d1) (f32x4.mul (local.get $s) (local.get $v1))))
                (local.set $pw (i32.add (local.get $pw) (i32.const 16)))
                (local.set $px (i32.add (local.get $px) (i32.const 4)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br_if $lj (i32.lt_s (local.get $j) (local.get $kw))))
              (local.set $row (i32.add (local.get $row) (local.get $wp)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $li (i32.lt_s (local.get $i) (local.get $kh))))
            (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
            (br_if $lc (i32.lt_s (local.get $ci) (local.get $c))))
          ;; out[kb + r, oy, ox .. ox + 8]
          (local.set $po (i32.add (local.get $out)
            (i32.add (i32.mul (local.get $kb) (local.get $oplane))
              (i32.shl (i32.add (i32.mul (local.get $oy) (local.get $ows)) (local.get $ox)) (i32.const 2)))))
          (v128.store (local.get $po) (local.get $a0))
          (v128.store offset=16 (local.get $po) (local.get $a1))
          (local.set $po (i32.add (local.get $po) (local.get $oplane)))
          (v128.store (local.get $po) (local.get $b0))
          (v128.store offset=16 (local.get $po) (local.get $b1))
          (local.set $po (i32.add (local.get $po) (local.get $oplane)))
          (v128.store (local.get $po) (local.get $c0))
          (v128.store offset=16 (local.get $po) (local.get $c1))
          (local.set $po (i32.add (local.get $po) (local.get $oplane)))
          (v128.store (local.get $po) (local.get $d0))
          (v128.store offset=16 (local.get $po) (local.get $d1))
          (local.set $ox (i32.add (local.get $ox) (i32.const 8)))
          (br $lx)))
        ;; the last four, when owc is not a multiple of 8
        (if (i32.lt_s (local.get $ox) (local.get $owc))
          (then
          (local.set $a0 (v128.load32_splat (local.get $pb)))
          (local.set $b0 (v128.load32_splat offset=4 (local.get $pb)))
          (local.set $c0 (v128.load32_splat offset=8 (local.get $pb)))
          (local.set $d0 (v128.load32_splat offset=12 (local.get $pb)))
          (local.set $pw (local.get $wblock))
          (local.set $ci (i32.const 0))
          (loop $lc
            (local.set $row (i32.add (i32.add (local.get $xp) (i32.mul (local.get $ci) (local.get $plane)))
              (i32.add (i32.mul (local.get $oy) (local.get $wp)) (i32.shl (local.get $ox) (i32.const 2)))))
            (local.set $i (i32.const 0))
            (loop $li
              (local.set $px (local.get $row))
              (local.set $j (i32.const 0))
              (loop $lj
                (local.set $v0 (v128.load (local.get $px)))
                (local.set $s (v128.load32_splat (local.get $pw)))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (local.get $v0))))
                (local.set $s (v128.load32_splat offset=4 (local.get $pw)))
                (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $s) (local.get $v0))))
                (local.set $s (v128.load32_splat offset=8 (local.get $pw)))
                (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $s) (local.get $v0))))
                (local.set $s (v128.load32_splat offset=12 (local.get $pw)))
                (local.set $d0 (f32x4.add (local.get $d0) (f32x4.mul (local.get $s) (local.get $v0))))
                (local.set $pw (i32.add (local.get $pw) (i32.const 16)))
                (local.set $px (i32.add (local.get $px) (i32.const 4)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br_if $lj (i32.lt_s (local.get $j) (local.get $kw))))
              (local.set $row (i32.add (local.get $row) (local.get $wp)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $li (i32.lt_s (local.get $i) (local.get $kh))))
            (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
            (br_if $lc (i32.lt_s (local.get $ci) (local.get $c))))
          (local.set $po (i32.add (local.get $out)
            (i32.add (i32.mul (local.get $kb) (local.get $oplane))
              (i32.shl (i32.add (i32.mul (local.get $oy) (local.get $ows)) (local.get $ox)) (i32.const 2)))))
          (v128.store (local.get $po) (local.get $a0))
          (local.set $po (i32.add (local.get $po) (local.get $oplane)))
          (v128.store (local.get $po) (local.get $b0))
          (local.set $po (i32.add (local.get $po) (local.get $oplane)))
          (v128.store (local.get $po) (local.get $c0))
          (local.set $po (i32.add (local.get $po) (local.get $oplane)))
          (v128.store (local.get $po) (local.get $d0))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br_if $ly (i32.lt_s (local.get $oy) (local.get $oh))))
      (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
      (br_if $lk (i32.lt_s (local.get $kb) (local.get $k4)))))

  ;; 2x2 max pooling, stride 2, from rows of sstride floats (conv_s1's wide output, or an
  ;; image) into rows of dstride floats: dst[pl, oy, ox] = max of src[pl, 2oy .. 2oy+1,
  ;; 2ox .. 2ox+1], chosen by comparisons as the scalar loops choose it (so -0 against +0, or a
  ;; NaN, gives the same bits), for `planes` planes of `oh` rows, four outputs per pass (ow4, a multiple of 4,
  ;; outputs per row; the caller keeps the valid ones and leaves room for the columns read past
  ;; them). With $relu = 1 each maximum is rectified: relu(v) = v * (v > 0 ? 1 : 0) + 0, which is
  ;; +0 for v <= 0 and NaN for NaN and -Infinity, as the scalar plan's rectifier, so that a value
  ;; that is not finite still reaches the output.
  (func (export "pool2x2")
    (param $src i32) (param $sstride i32) (param $splane i32)
    (param $dst i32) (param $dstride i32) (param $dplane i32)
    (param $planes i32) (param $oh i32) (param $ow4 i32) (param $relu i32)
    (local $pl i32) (local $oy i32) (local $ox i32) (local $r0 i32) (local $r1 i32) (local $po i32)
    (local $top0 v128) (local $top1 v128) (local $m v128)
    (local $a v128) (local $b v128) (local $c v128) (local $e v128)
    (local.set $sstride (i32.shl (local.get $sstride) (i32.const 2)))
    (local.set $dstride (i32.shl (local.get $dstride) (i32.const 2)))
    (local.set $splane (i32.shl (local.get $splane) (i32.const 2)))
    (local.set $dplane (i32.shl (local.get $dplane) (i32.const 2)))
    (local.set $pl (i32.const 0))
    (loop $lp
      (local.set $oy (i32.const 0))
      (loop $ly
        (local.set $r0 (i32.add (i32.add (local.get $src) (i32.mul (local.get $pl) (local.get $splane)))
          (i32.mul (i32.shl (local.get $oy) (i32.const 1)) (local.get $sstride))))
        (local.set $r1 (i32.add (local.get $r0) (local.get $sstride)))
        (local.set $po (i32.add (i32.add (local.get $dst) (i32.mul (local.get $pl) (local.get $dplane)))
          (i32.mul (local.get $oy) (local.get $dstride))))
        (local.set $ox (i32.const 0))
        (loop $lx
          ;; corners a b / c e of four windows, each from a shuffle of two row vectors
          (local.set $top0 (v128.load (local.get $r0)))
          (local.set $top1 (v128.load offset=16 (local.get $r0)))
          (local.set $a (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $top0) (local.get $top1)))
          (local.set $b (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $top0) (local.get $top1)))
          (local.set $top0 (v128.load (local.get $r1)))
          (local.set $top1 (v128.load offset=16 (local.get $r1)))
          (local.set $c (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $top0) (local.get $top1)))
          (local.set $e (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $top0) (local.get $top1)))
          ;; the winner as the scalar loops pick it: a later corner only when strictly greater
          (local.set $a (v128.bitselect (local.get $b) (local.get $a) (f32x4.gt (local.get $b) (local.get $a))))
          (local.set $c (v128.bitselect (local.get $e) (local.get $c) (f32x4.gt (local.get $e) (local.get $c))))
          (local.set $m (v128.bitselect (local.get $c) (local.get $a) (f32x4.gt (local.get $c) (local.get $a))))
          (if (local.get $relu)
            (then
              (local.set $m
                (f32x4.add
                  (f32x4.mul (local.get $m)
                    (v128.and (f32x4.gt (local.get $m) (v128.const f32x4 0 0 0 0))
                      (v128.const f32x4 1 1 1 1)))
                  (v128.const f32x4 0 0 0 0)))))
          (v128.store (local.get $po) (local.get $m))
          (local.set $r0 (i32.add (local.get $r0) (i32.const 32)))
          (local.set $r1 (i32.add (local.get $r1) (i32.const 32)))
          (local.set $po (i32.add (local.get $po) (i32.const 16)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
          (br_if $lx (i32.lt_s (local.get $ox) (local.get $ow4))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br_if $ly (i32.lt_s (local.get $oy) (local.get $oh))))
      (local.set $pl (i32.add (local.get $pl) (i32.const 1)))
      (br_if $lp (i32.lt_s (local.get $pl) (local.get $planes)))))

  ;; The backward of 2x2 max pooling, stride 2: each dy goes to the input that won its window,
  ;; the first in reading order on ties (as the scalar loops choose), every other input gets +0.
  ;; x is read in rows of sstride floats, dy in rows of dystride floats (ow4 per row, a multiple
  ;; of 4, zeros past the valid ones), and dx written in rows of sstride floats (zeroed by the
  ;; caller; rows 2oy and 2oy + 1 of each window row). Four windows per pass: their four corners
  ;; gathered into four vectors by shuffles, the winner found by comparisons as masks, and each
  ;; corner's gradient selected by those masks and shuffled back into place.
  (func (export "pool2x2_back")
    (param $x i32) (param $sstride i32) (param $splane i32)
    (param $dy i32) (param $dystride i32) (param $dyplane i32) (param $dx i32)
    (param $planes i32) (param $oh i32) (param $ow4 i32)
    (local $pl i32) (local $oy i32) (local $ox i32) (local $o0 i32) (local $pg i32) (local $d i32)
    (local $r0a v128) (local $r0b v128) (local $r1a v128) (local $r1b v128)
    (local $a v128) (local $b v128) (local $c v128) (local $e v128)
    (local $tb v128) (local $bb v128) (local $wb v128) (local $g v128)
    (local $ga v128) (local $gb v128) (local $gc v128) (local $gd v128)
    (local.set $sstride (i32.shl (local.get $sstride) (i32.const 2)))
    (local.set $splane (i32.shl (local.get $splane) (i32.const 2)))
    (local.set $dystride (i32.shl (local.get $dystride) (i32.const 2)))
    (local.set $dyplane (i32.shl (local.get $dyplane) (i32.const 2)))
    (local.set $pl (i32.const 0))
    (loop $lp
      (local.set $oy (i32.const 0))
      (loop $ly
        ;; byte offset of the window row in x and dx, and of the dy row
        (local.set $o0 (i32.add (i32.mul (local.get $pl) (local.get $splane))
          (i32.mul (i32.shl (local.get $oy) (i32.const 1)) (local.get $sstride))))
        (local.set $pg (i32.add (local.get $dy)
          (i32.add (i32.mul (local.get $pl) (local.get $dyplane)) (i32.mul (local.get $oy) (local.get $dystride)))))
        (local.set $ox (i32.const 0))
        (loop $lx
          (local.set $d (i32.add (local.get $x) (local.get $o0)))
          (local.set $r0a (v128.load (local.get $d)))
          (local.set $r0b (v128.load offset=16 (local.get $d)))
          (local.set $d (i32.add (local.get $d) (local.get $sstride)))
          (local.set $r1a (v128.load (local.get $d)))
          (local.set $r1b (v128.load offset=16 (local.get $d)))
          ;; corners: a top-left, b top-right, c bottom-left, e bottom-right
          (local.set $a (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $r0a) (local.get $r0b)))
          (local.set $b (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $r0a) (local.get $r0b)))
          (local.set $c (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $r1a) (local.get $r1b)))
          (local.set $e (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $r1a) (local.get $r1b)))
          (local.set $tb (f32x4.gt (local.get $b) (local.get $a)))
          (local.set $bb (f32x4.gt (local.get $e) (local.get $c)))
          (local.set $wb (f32x4.gt
            (v128.bitselect (local.get $e) (local.get $c) (local.get $bb))
            (v128.bitselect (local.get $b) (local.get $a) (local.get $tb))))
          (local.set $g (v128.load (local.get $pg)))
          (local.set $ga (v128.andnot (local.get $g) (v128.or (local.get $tb) (local.get $wb))))
          (local.set $gb (v128.andnot (v128.and (local.get $g) (local.get $tb)) (local.get $wb)))
          (local.set $gc (v128.andnot (v128.and (local.get $g) (local.get $wb)) (local.get $bb)))
          (local.set $gd (v128.and (v128.and (local.get $g) (local.get $wb)) (local.get $bb)))
          (local.set $d (i32.add (local.get $dx) (local.get $o0)))
          (v128.store (local.get $d)
            (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $ga) (local.get $gb)))
          (v128.store offset=16 (local.get $d)
            (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $ga) (local.get $gb)))
          (local.set $d (i32.add (local.get $d) (local.get $sstride)))
          (v128.store (local.get $d)
            (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $gc) (local.get $gd)))
          (v128.store offset=16 (local.get $d)
            (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $gc) (local.get $gd)))
          (local.set $o0 (i32.add (local.get $o0) (i32.const 32)))
          (local.set $pg (i32.add (local.get $pg) (i32.const 16)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
          (br_if $lx (i32.lt_s (local.get $ox) (local.get $ow4))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br_if $ly (i32.lt_s (local.get $oy) (local.get $oh))))
      (local.set $pl (i32.add (local.get $pl) (i32.const 1)))
      (br_if $lp (i32.lt_s (local.get $pl) (local.get $planes)))))

  ;; ReLU of n floats (n a multiple of 4): y = x * (x > 0 ? 1 : 0) + 0, which is +0 for x <= 0,
  ;; as the scalar relu writes it. Returns the sum of x - x over every lane: 0 when every x is
  ;; finite, NaN once one is NaN or infinite (the caller then names it).
  (func (export "relu") (param $x i32) (param $y i32) (param $n i32) (result f32)
    (local $end i32) (local $v v128) (local $bad v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v (v128.load (local.get $x)))
        (local.set $bad (f32x4.add (local.get $bad) (f32x4.sub (local.get $v) (local.get $v))))
        (v128.store (local.get $y)
          (f32x4.add
            (f32x4.mul (local.get $v)
              (v128.and (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1)))
            (v128.const f32x4 0 0 0 0)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $l)))
    (call $hsum (local.get $bad)))

  ;; ReLU's backward over n floats (n a multiple of 4): dx = dy * (x > 0 ? 1 : 0) + 0.
  (func (export "relu_back") (param $x i32) (param $dy i32) (param $dx i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store (local.get $dx)
          (f32x4.add
            (f32x4.mul (v128.load (local.get $dy))
              (v128.and (f32x4.gt (v128.load (local.get $x)) (v128.const f32x4 0 0 0 0))
                (v128.const f32x4 1 1 1 1)))
            (v128.const f32x4 0 0 0 0)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
        (br $l))))

  ;; Copies `rows` rows of `cols` floats from src (one every sstride floats) to dst (one every
  ;; dstride floats): padding an image into a wider buffer, or the valid columns back out.
  (func (export "copy_rows")
    (param $src i32) (param $sstride i32) (param $dst i32) (param $dstride i32)
    (param $rows i32) (param $cols i32)
    (local.set $sstride (i32.shl (local.get $sstride) (i32.const 2)))
    (local.set $dstride (i32.shl (local.get $dstride) (i32.const 2)))
    (local.set $cols (i32.shl (local.get $cols) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.le_s (local.get $rows) (i32.const 0)))
        (memory.copy (local.get $dst) (local.get $src) (local.get $cols))
        (local.set $src (i32.add (local.get $src) (local.get $sstride)))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstride)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $l))))

  ;; im2col of one image x [c, h, w] ($back = 0): row (ci, i, j) of col [c*kh*kw, oh*ow] gets
  ;; x[ci, oy*sh + i - ph, ox*sw + j - pw] for every output position, 0 outside the image.
  ;; col2im ($back = 1), its transpose: every entry of col is added back onto the pixel of x it
  ;; came from (x is then dL/dx), and entries from outside the image are dropped.
  (func (export "im2col")
    (param $x i32) (param $c i32) (param $h i32) (param $w i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $ph i32) (param $pw i32)
    (param $oh i32) (param $ow i32) (param $col i32) (param $back i32)
    (local $ci i32) (local $i i32) (local $j i32) (local $oy i32) (local $ox i32)
    (local $iy i32) (local $ix i32) (local $plane i32) (local $row i32) (local $d i32)
    (local.set $ci (i32.const 0))
    (loop $lc
      (local.set $plane (i32.add (local.get $x)
        (i32.shl (i32.mul (i32.mul (local.get $ci) (local.get $h)) (local.get $w)) (i32.const 2))))
      (local.set $i (i32.const 0))
      (loop $li
        (local.set $j (i32.const 0))
        (loop $lj
          (local.set $oy (i32.const 0))
          (loop $ly
            (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $sh)) (local.get $i))
              (local.get $ph)))
            (if (i32.lt_u (local.get $iy) (local.get $h))
              (then
                (local.set $row (i32.add (local.get $plane)
                  (i32.shl (i32.mul (local.get $iy) (local.get $w)) (i32.const 2))))
                (local.set $ox (i32.const 0))
                ;; Stride 1 with the whole row inside the image (no padding reached): im2col
                ;; copies the ow floats at once; col2im adds them four at a time, leaving the
                ;; last ow % 4 to the loop below.
                (local.set $ix (i32.sub (local.get $j) (local.get $pw)))
                (if (i32.and (i32.eq (local.get $sw) (i32.const 1))
                      (i32.and (i32.ge_s (local.get $ix) (i32.const 0))
                        (i32.le_s (i32.add (local.get $ix) (local.get $ow)) (local.get $w))))
                  (then
                    (local.set $d (i32.add (local.get $row) (i32.shl (local.get $ix) (i32.const 2))))
                    (if (local.get $back)
                      (then
                        (block $v_done
                          (loop $lv
                            (br_if $v_done (i32.gt_s (i32.add (local.get $ox) (i32.const 4)) (local.get $ow)))
                            (v128.store (local.get $d)
                              (f32x4.add (v128.load (local.get $d)) (v128.load (local.get $col))))
                            (local.set $d (i32.add (local.get $d) (i32.const 16)))
                            (local.set $col (i32.add (local.get $col) (i32.const 16)))
                            (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
                            (br $lv))))
                      (else
                        (memory.copy (local.get $col) (local.get $d) (i32.shl (local.get $ow) (i32.const 2)))
                        (local.set $col (i32.add (local.get $col) (i32.shl (local.get $ow) (i32.const 2))))
                        (local.set $ox (local.get $ow))))))
                (if (i32.lt_s (local.get $ox) (local.get $ow)) (then
                (loop $lx
                  (local.set $ix (i32.sub (i32.add (i32.mul (local.get $ox) (local.get $sw)) (local.get $j))
                    (local.get $pw)))
                  (local.set $d (i32.add (local.get $row) (i32.shl (local.get $ix) (i32.const 2))))
                  (if (i32.lt_u (local.get $ix) (local.get $w))
                    (then
                      (if (local.get $back)
                        (then (f32.store (local.get $d)
                          (f32.add (f32.load (local.get $d)) (f32.load (local.get $col)))))
                        (else (f32.store (local.get $col) (f32.load (local.get $d))))))
                    (else
                      (if (i32.eqz (local.get $back))
                        (then (f32.store (local.get $col) (f32.const 0))))))
                  (local.set $col (i32.add (local.get $col) (i32.const 4)))
                  (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                  (br_if $lx (i32.lt_s (local.get $ox) (local.get $ow)))))))
              (else
                (if (i32.eqz (local.get $back))
                  (then (memory.fill (local.get $col) (i32.const 0) (i32.shl (local.get $ow) (i32.const 2)))))
                (local.set $col (i32.add (local.get $col) (i32.shl (local.get $ow) (i32.const 2))))))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br_if $ly (i32.lt_s (local.get $oy) (local.get $oh))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $lj (i32.lt_s (local.get $j) (local.get $kw))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $li (i32.lt_s (local.get $i) (local.get $kh))))
      (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
      (br_if $lc (i32.lt_s (local.get $ci) (local.get $c))))))
