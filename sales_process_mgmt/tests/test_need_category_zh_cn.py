from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestNeedCategoryZhCn(TransactionCase):
    """The demo's need categories read by a zh_CN salesperson: their path in Chinese, and
    found by their Chinese name (as an import or a many2one field looks them up).

    Needs zh_CN in the database: scripts/test.sh adds it after the install.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zhang = cls.env.ref("sales_process_mgmt.user_salesperson_zhang_demo")
        cls.zhang.lang = "zh_CN"
        cls.training = cls.env.ref("sales_process_mgmt.need_category_training_demo")

    def test_path_in_the_readers_language(self):
        category = self.training.with_user(self.zhang)
        self.assertEqual(category.with_context(lang="zh_CN").display_name, "服务 / 培训")
        self.assertEqual(category.with_context(lang="en_US").display_name, "Services / Training")

    def test_found_by_its_chinese_name(self):
        Category = self.env["sales.process.need.category"].with_user(self.zhang).with_context(lang="zh_CN")
        self.assertEqual([cid for cid, __ in Category.name_search("培训")], self.training.ids)
        self.assertEqual([cid for cid, __ in Category.name_search("Services / Training")], self.training.ids)
