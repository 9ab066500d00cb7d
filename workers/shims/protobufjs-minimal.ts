// @datadog/sketches-js requires protobufjs (without declaring it) only inside toProto/fromProto,
// which Switchboard never calls: sketches travel as JSON (analytics/quantiles.ts). wrangler.toml
// points that import here so the Worker bundles; reaching this module means someone started
// using protobuf sketches and must add protobufjs for real.
throw new Error('protobufjs is not bundled: DDSketch protobuf serialization is not available in the Worker');
