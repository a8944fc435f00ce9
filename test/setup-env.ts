// The AWS SDK warns on every client that Node 20 support ends in 2027; the local stack and tests run on the
// machine's Node 20 on purpose (Lambda runs Node 24). Keep test output readable.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export {};
