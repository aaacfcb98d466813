// ts-jest wants {name, version, factory}; @nestjs/swagger's plugin exports `before(options, program)`.
// This gives tests the same OpenAPI metadata as `nest build`.
const plugin = require('@nestjs/swagger/plugin');

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: '1',
  factory: (compiler, options) => plugin.before(options, compiler.program),
};
