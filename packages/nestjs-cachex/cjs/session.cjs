'use strict';
module.exports = require('./load.cjs')('session/index');
