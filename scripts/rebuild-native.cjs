// electron-builder beforeBuild hook: rebuild better-sqlite3 for the target
// Electron ABI and arch at packaging time (npmRebuild is off so that `npm install`
// keeps the Node build the CLI, the hub and the tests use).
const { execFileSync } = require('node:child_process');

module.exports = async function beforeBuild(context) {
  const arch = typeof context.arch === 'string' ? context.arch : ['ia32', 'x64', 'armv7l', 'arm64', 'universal'][context.arch];
  execFileSync(
    process.platform === 'win32' ? 'npx.cmd' : 'npx',
    ['electron-rebuild', '--only', 'better-sqlite3', '--arch', arch, '--force'],
    { stdio: 'inherit', cwd: context.appDir },
  );
  // Returning false tells electron-builder the dependencies are already prepared.
  return false;
};
