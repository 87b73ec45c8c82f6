import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { useHarness } from '../lib/harness.ts';

/** Doubles four floats in a WGSL compute shader and reads them back: proof the GPU path runs. */
const doubleOnGpu = (page: Page) =>
  page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    const adapter = gpu ? await gpu.requestAdapter() : null;
    if (!adapter) return null;
    const device = await adapter.requestDevice();
    const input = new Float32Array([1, 2, 3, 4.5]);
    const data = device.createBuffer({
      size: input.byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(data, 0, input);
    const readback = device.createBuffer({
      size: input.byteLength,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const module = device.createShaderModule({
      code: `@group(0) @binding(0) var<storage, read_write> v: array<f32>;
             @compute @workgroup_size(4) fn main(@builtin(global_invocation_id) i: vec3u) {
               v[i.x] = v[i.x] * 2.0;
             }`,
    });
    const pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
    });
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: data } }],
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(1);
    pass.end();
    encoder.copyBufferToBuffer(data, 0, readback, 0, input.byteLength);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const out = Array.from(new Float32Array(readback.getMappedRange()));
    device.destroy();
    return out;
  });

const hasWebGL2 = (page: Page) =>
  page.evaluate(() => document.createElement('canvas').getContext('webgl2') !== null);

describe('the WebGPU-enabled launch', () => {
  const h = useHarness({ webgpu: true });

  it('reaches a WebGPU adapter and runs a compute shader on it', async () => {
    const { page } = await h.open('/');
    assert.deepEqual(await doubleOnGpu(page), [2, 4, 6, 9]);
    assert.equal(await hasWebGL2(page), true);
  });
});

describe('the plain launch (what a reader without WebGPU gets)', () => {
  const h = useHarness({ webgpu: false });

  it('offers no WebGPU adapter but still has WebGL2', async () => {
    const { page } = await h.open('/');
    assert.equal(await doubleOnGpu(page), null);
    assert.equal(await hasWebGL2(page), true);
  });
});
