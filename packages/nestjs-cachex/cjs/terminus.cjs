'use strict';
module.exports = require('./load.cjs')('terminus/index');
